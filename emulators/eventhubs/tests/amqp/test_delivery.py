"""A delivery's bytes: the stored message with the hub's annotations spliced in reads back as the whole
message decoded, annotated and encoded again would (amqp_core's codec is the reference), and the sections
the hub does not touch go out byte for byte as the sender wrote them."""

from __future__ import annotations

from typing import Any

import pytest
from amqp_core.codec import encode
from amqp_core.message import (
    AmqpSequence,
    AmqpValue,
    Data,
    Header,
    Message,
    Properties,
    decode_message,
    encode_message,
)
from amqp_core.sections import annotated, sections
from amqp_core.types import Described, Long, Symbol, Timestamp, ULong
from eventhubs_emulator.amqp.delivery import delivery_payload

OURS: dict[Any, Any] = {
    Symbol("x-opt-sequence-number"): Long(7),
    Symbol("x-opt-offset"): "1234",
    Symbol("x-opt-enqueued-time"): Timestamp(1_700_000_000_000),
    Symbol("x-opt-partition-key"): "ord_1",
}
METRICS: dict[Any, Any] = {Symbol("last_enqueued_sequence_number"): Long(9)}

MESSAGES = {
    "body only": Message(body=Data([b'{"a": 1}'])),
    "everything": Message(
        header=Header(durable=True, ttl=60_000),
        delivery_annotations={Symbol("x-sender-note"): "kept"},
        message_annotations={Symbol("x-opt-partition-key"): "theirs", Symbol("x-custom"): 5},
        properties=Properties(message_id="m-1", content_type="application/json", creation_time=17),
        application_properties={"type": "OrderStatusChanged", "version": 1, "traceparent": "00-ab-cd-01"},
        body=Data([b"x" * 300, b"y" * 70_000]),
        footer={Symbol("x-footer"): b"sig"},
    ),
    "sequence body": Message(application_properties={"k": "v"}, body=AmqpSequence([[1, "a"], [2, "b"]])),
    "value body": Message(properties=Properties(subject="s"), body=AmqpValue("a string body")),
    "empty maps": Message(message_annotations={}, application_properties={}, body=Data([b""])),
}


def reference(payload: bytes, delivery_annotations: dict[Any, Any] | None) -> Message:
    message = decode_message(payload)
    message.message_annotations = {**(message.message_annotations or {}), **OURS}
    if delivery_annotations is not None:
        message.delivery_annotations = delivery_annotations
    return decode_message(encode_message(message))


@pytest.mark.parametrize("name", MESSAGES)
@pytest.mark.parametrize("metrics", [None, METRICS], ids=["no-metrics", "runtime-metrics"])
def test_a_delivery_reads_back_as_the_message_annotated(name: str, metrics: dict[Any, Any] | None) -> None:
    payload = encode_message(MESSAGES[name])

    assert decode_message(delivery_payload(payload, OURS, metrics)) == reference(payload, metrics)


@pytest.mark.parametrize("name", ["body only", "everything", "sequence body", "empty maps"])
def test_messages_in_the_usual_forms_are_spliced_not_reencoded(name: str) -> None:
    assert annotated(encode_message(MESSAGES[name])) is not None


def test_untouched_sections_go_out_as_the_sender_wrote_them() -> None:
    # Application properties in the wide map32 form, as some clients write even small maps: the codec
    # would write them back as map8, a splice keeps the sender's bytes.
    properties = encode(Described(ULong(0x74), {"type": "OrderStatusChanged"}))
    count_and_items = properties[6:]  # past 0x00 0x53 0x74 0xc1 <size> <count>: the items
    wide = (
        b"\x00\x53\x74\xd1"
        + (4 + len(count_and_items)).to_bytes(4, "big")
        + properties[5:6].rjust(4, b"\x00")
        + count_and_items
    )
    body = encode(Described(ULong(0x75), b"payload"))
    payload = wide + body
    assert decode_message(payload).application_properties == {"type": "OrderStatusChanged"}

    written = delivery_payload(payload, OURS, None)

    assert written.endswith(wide + body)
    assert decode_message(written) == reference(payload, None)


def test_a_section_described_by_its_symbol_is_spliced_too() -> None:
    payload = encode(Described(Symbol("amqp:data:binary"), b"x"))

    written = delivery_payload(payload, OURS, None)

    assert written.endswith(payload)
    assert decode_message(written) == reference(payload, None)


def test_sections_out_of_order_take_the_long_way_with_the_same_result() -> None:
    # Application properties before the message annotations: out of the specification's order.
    payload = (
        encode(Described(ULong(0x74), {"k": "v"}))
        + encode(Described(ULong(0x72), {Symbol("x-a"): 1}))
        + encode(Described(ULong(0x75), b"x"))
    )
    assert annotated(payload) is None

    assert decode_message(delivery_payload(payload, OURS, None)) == reference(payload, None)


def test_the_comparison_catches_a_missing_section_or_missing_annotations() -> None:
    payload = encode_message(MESSAGES["everything"])
    expected = reference(payload, None)
    footer_start = sections(payload)[-1].start

    assert decode_message(payload) != expected
    assert decode_message(delivery_payload(payload[:footer_start], OURS, None)) != expected
