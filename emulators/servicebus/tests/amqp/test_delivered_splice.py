"""A delivery spliced from the stored bytes is the message the whole decode-stamp-encode path builds.

``delivered_bytes`` keeps the stored properties, application properties, body and footer as bytes and
writes only a new header and message annotations. These tests decode both results and compare them,
for every kind of body and section a sender can store, and show that a spliced message that differed
(a section dropped, a stamp missing) would be caught.
"""

from __future__ import annotations

import dataclasses

import pytest
from amqp_core.codec import encode_into
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
from amqp_core.sections import sections
from amqp_core.types import Described, Symbol, ULong
from servicebus_emulator.amqp import convert
from servicebus_emulator.amqp.convert import delivered, delivered_bytes
from servicebus_emulator.model import BrokerMessage, MessageState

MESSAGES = {
    "data only": Message(body=Data([b'{"orderId":"o-1"}'])),
    "every section": Message(
        header=Header(durable=True, priority=7, ttl=60_000, first_acquirer=True, delivery_count=3),
        delivery_annotations={Symbol("x-opt-delivery"): "d"},
        message_annotations={Symbol("x-opt-partition-key"): "pk", Symbol("x-opt-sequence-number"): 99},
        properties=Properties(message_id="m-1", correlation_id="o-1", content_type="application/json"),
        application_properties={"type": "PaymentRequested", "version": 1, "traceparent": "00-ab-cd-01"},
        body=Data([b"first", b"second" * 100]),
        footer={Symbol("x-opt-footer"): b"f"},
    ),
    "sequence body": Message(properties=Properties(message_id="m-2"), body=AmqpSequence([[1, "a"], [2]])),
    "value body, large": Message(
        application_properties={"k": "v" * 300}, body=AmqpValue({"nested": ["x" * 400, 1.5, None]})
    ),
    "no body": Message(properties=Properties(message_id="m-3")),
}


def record(encoded: bytes, **changes: object) -> BrokerMessage:
    base = BrokerMessage(
        entity="payment-requests",
        sequence_number=42,
        encoded=encoded,
        message_id="m-1",
        message_id_assigned=False,
        correlation_id=None,
        subject=None,
        to=None,
        reply_to=None,
        reply_to_session_id=None,
        session_id=None,
        content_type=None,
        application_properties={},
        time_to_live=60.0,
        enqueued_time=1_700_000_000.125,
        scheduled_enqueue_time=None,
        size=len(encoded),
        delivery_count=2,
        locked_until=1_700_000_030.5,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", MESSAGES)
@pytest.mark.parametrize("locked", [True, False])
@pytest.mark.parametrize(
    "changes",
    [{}, {"state": MessageState.DEFERRED}, {"dead_letter_source": "orders/subscriptions/a"}],
    ids=["active", "deferred", "forwarded dead letter"],
)
def test_a_spliced_delivery_is_the_whole_paths_message(
    name: str, locked: bool, changes: dict[str, object]
) -> None:
    stored = record(encode_message(MESSAGES[name]), **changes)

    spliced = delivered_bytes(stored, locked=locked)

    assert decode_message(spliced) == delivered(stored, locked=locked)


def test_sections_out_of_order_take_the_whole_path() -> None:
    # Message annotations after the properties: a splice would keep them and add its own.
    bare = encode_message(Message(properties=Properties(message_id="m-9"), body=Data([b"x"])))
    late = bytearray()
    encode_into(late, Described(ULong(0x72), {Symbol("x-late"): 1}))
    reordered = record(bare + bytes(late))

    delivered_message = decode_message(delivered_bytes(reordered, locked=True))

    assert delivered_message == delivered(reordered, locked=True)
    assert delivered_message.message_annotations is not None
    assert delivered_message.message_annotations[Symbol("x-late")] == 1


def test_a_splice_that_drops_a_section_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = record(encode_message(MESSAGES["every section"]))
    whole = delivered(stored, locked=True)
    splice = convert._spliced

    def drops_the_footer(message: BrokerMessage, *, locked: bool) -> bytes | None:
        spliced = splice(message, locked=locked)
        assert spliced is not None
        return spliced[: sections(spliced)[-1].start]

    monkeypatch.setattr(convert, "_spliced", drops_the_footer)

    assert decode_message(delivered_bytes(stored, locked=True)) != whole
