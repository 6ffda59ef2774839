"""Message sections and batches."""

from __future__ import annotations

import pytest
from amqp_core.codec import DecodeError, encode
from amqp_core.message import (
    AmqpSequence,
    AmqpValue,
    Data,
    Header,
    Message,
    Properties,
    decode_batch,
    decode_message,
    encode_batch,
    encode_message,
)
from amqp_core.types import Described, Long, Symbol, Timestamp, ULong


def full_message() -> Message:
    return Message(
        header=Header(durable=True, priority=5, ttl=1000, first_acquirer=True, delivery_count=2),
        delivery_annotations={Symbol("x-opt-d"): "d"},
        message_annotations={
            Symbol("x-opt-sequence-number"): Long(7),
            Symbol("x-opt-enqueued-time"): Timestamp(5),
        },
        properties=Properties(
            message_id="m1",
            user_id=b"u",
            to="t",
            subject="s",
            reply_to="r",
            correlation_id=ULong(4),
            content_type="application/json",
            content_encoding="utf-8",
            absolute_expiry_time=10,
            creation_time=5,
            group_id="g",
            group_sequence=1,
            reply_to_group_id="rg",
        ),
        application_properties={"type": "PaymentRequested", "version": Long(1)},
        body=Data([b"{}", b"more"]),
        footer={Symbol("f"): "x"},
    )


def test_every_section_round_trips() -> None:
    message = full_message()
    assert decode_message(encode_message(message)) == message


@pytest.mark.parametrize(
    "body", [AmqpValue({"k": "v"}), AmqpValue(None), AmqpSequence([[1, 2], ["x"]]), Data([b""])]
)
def test_every_body_kind_round_trips(body: object) -> None:
    message = Message(body=body)  # type: ignore[arg-type]
    assert decode_message(encode_message(message)) == message


def test_mixed_body_sections_are_refused() -> None:
    raw = encode(Described(ULong(0x75), b"x")) + encode(Described(ULong(0x77), "v"))
    with pytest.raises(DecodeError, match="mixes"):
        decode_message(raw)


def test_non_section_value_is_refused() -> None:
    with pytest.raises(DecodeError):
        decode_message(encode("not a section"))


def test_batch_holds_one_whole_message_per_data_section() -> None:
    inner = [Message(properties=Properties(message_id=str(i)), body=Data([b"%d" % i])) for i in range(3)]
    envelope = Message(message_annotations={Symbol("x-opt-partition-key"): "pk"})
    _, messages = decode_batch(encode_batch(inner, envelope))
    assert messages == inner


def test_plain_message_with_several_data_sections_is_not_a_batch() -> None:
    message = Message(body=Data([b"not", b"messages"]))
    assert decode_message(encode_message(message)).body == Data([b"not", b"messages"])
    with pytest.raises(DecodeError):
        decode_batch(encode_message(message))
