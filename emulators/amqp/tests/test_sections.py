"""Finding a message's sections by their sizes: the same sections a whole decode finds, in the forms senders
write them, and every malformed or out-of-order message told apart."""

from __future__ import annotations

import itertools

import pytest
from amqp_core.codec import DecodeError, encode
from amqp_core.message import Data, Header, Message, Properties, encode_message
from amqp_core.sections import (
    DELIVERY_ANNOTATIONS,
    FOOTER,
    HEADER,
    MESSAGE_ANNOTATIONS,
    PROPERTIES,
    annotated,
    in_order,
    section_value,
    sections,
)
from amqp_core.types import Described, Symbol, ULong

EVERY_SECTION = Message(
    header=Header(durable=True, priority=7, delivery_count=3),
    delivery_annotations={Symbol("x-opt-delivery"): "d"},
    message_annotations={Symbol("x-opt-partition-key"): "pk"},
    properties=Properties(message_id="m-1", content_type="application/json"),
    application_properties={"type": "OrderStatusChanged", "version": 1},
    body=Data([b"first", b"second" * 100]),
    footer={Symbol("x-opt-footer"): b"f"},
)


def test_every_section_is_found_in_order_and_reads_back_as_encoded() -> None:
    data = encode_message(EVERY_SECTION)

    found = sections(data)

    assert [s.code for s in found] == [
        HEADER,
        DELIVERY_ANNOTATIONS,
        MESSAGE_ANNOTATIONS,
        PROPERTIES,
        0x74,
        0x75,
        0x75,
        FOOTER,
    ]
    assert found[0].start == 0
    assert found[-1].end == len(data)
    assert all(a.end == b.start for a, b in itertools.pairwise(found))
    assert section_value(data, found[2]) == {Symbol("x-opt-partition-key"): "pk"}
    assert in_order(found)


def test_a_message_is_cut_before_its_bare_message() -> None:
    data = encode_message(EVERY_SECTION)
    bare = encode_message(
        Message(
            properties=EVERY_SECTION.properties,
            application_properties=EVERY_SECTION.application_properties,
            body=EVERY_SECTION.body,
            footer=EVERY_SECTION.footer,
        )
    )

    split = annotated(data)

    assert split is not None
    assert split.header == encode(EVERY_SECTION.header.encode())  # type: ignore[union-attr]
    assert split.delivery_annotations == encode(Described(ULong(0x71), EVERY_SECTION.delivery_annotations))
    assert split.message_annotations == EVERY_SECTION.message_annotations
    assert split.bare == bare
    assert (
        split.header
        + split.delivery_annotations
        + encode(Described(ULong(0x72), split.message_annotations))
        + split.bare
        == data
    )


def test_a_section_described_by_its_symbol_is_found() -> None:
    data = encode(Described(Symbol("amqp:properties:list"), [])) + encode(
        Described(Symbol("amqp:data:binary"), b"x")
    )

    assert [s.code for s in sections(data)] == [PROPERTIES, 0x75]


def test_sections_out_of_order_are_told_apart() -> None:
    late = encode_message(Message(properties=Properties(message_id="m"), body=Data([b"x"]))) + encode(
        Described(ULong(MESSAGE_ANNOTATIONS), {Symbol("x-late"): 1})
    )
    twice = encode(Described(ULong(PROPERTIES), [])) * 2

    assert not in_order(sections(late))
    assert annotated(late) is None
    assert not in_order(sections(twice))


@pytest.mark.parametrize(
    ("case", "data", "message"),
    [
        ("truncated", encode_message(EVERY_SECTION)[:-3], "past the end"),
        ("not described", b"\x45", "not a described value"),
        ("unknown section", encode(Described(ULong(0x10), b"x")), "unknown message section"),
        ("unknown constructor", b"\x00\x53\x75\x01", "unknown constructor"),
        ("size past the end", b"\x00\x53\x75\xb0\x00\x00", "size runs past the end"),
    ],
)
def test_a_malformed_message_is_refused(case: str, data: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        sections(data)
