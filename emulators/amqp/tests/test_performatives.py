"""Every performative, SASL frame, outcome and terminus: full field lists and round trips."""

from __future__ import annotations

import dataclasses

import pytest
from amqp_core.codec import DecodeError, decode, encode
from amqp_core.performatives import (
    Accepted,
    AmqpError,
    Attach,
    Begin,
    Close,
    Detach,
    Disposition,
    End,
    Flow,
    Modified,
    Open,
    Received,
    Rejected,
    Released,
    SaslChallenge,
    SaslInit,
    SaslMechanisms,
    SaslOutcome,
    SaslResponse,
    Source,
    Target,
    Transfer,
    decode_record,
)
from amqp_core.types import Described, Symbol, ULong

RECORDS = [
    Open(
        container_id="c",
        hostname="h",
        max_frame_size=512,
        channel_max=3,
        idle_time_out=1000,
        offered_capabilities=("a",),
        properties={"p": "v"},
    ),
    Begin(remote_channel=1, next_outgoing_id=2, incoming_window=3, outgoing_window=4, handle_max=5),
    Attach(
        name="l",
        handle=1,
        role=True,
        snd_settle_mode=0,
        rcv_settle_mode=1,
        source=Source(
            address="q",
            filter={"f": Described(Symbol("apache.org:selector-filter:string"), "x > 1")},
            outcomes=("amqp:accepted:list",),
        ),
        target=Target(address="t"),
        initial_delivery_count=0,
        max_message_size=1024,
        properties={"com.microsoft:receiver-name": "r"},
    ),
    Flow(
        next_incoming_id=1,
        incoming_window=2,
        next_outgoing_id=3,
        outgoing_window=4,
        handle=5,
        delivery_count=6,
        link_credit=7,
        available=8,
        drain=True,
        echo=True,
    ),
    Transfer(
        handle=1,
        delivery_id=2,
        delivery_tag=b"t",
        message_format=0x80013700,
        settled=False,
        more=True,
        rcv_settle_mode=1,
        state=Received(section_number=1, section_offset=2),
    ),
    Disposition(role=True, first=1, last=3, settled=True, state=Accepted()),
    Detach(
        handle=1, closed=True, error=AmqpError(condition="amqp:link:stolen", description="d", info={"k": 1})
    ),
    End(error=AmqpError(condition="amqp:session:window-violation")),
    Close(),
    Rejected(error=AmqpError(condition="com.microsoft:dead-letter", info={"DeadLetterReason": "r"})),
    Released(),
    Modified(delivery_failed=True, undeliverable_here=False, message_annotations={"a": 1}),
    SaslMechanisms(sasl_server_mechanisms=("PLAIN", "ANONYMOUS")),
    SaslInit(mechanism="PLAIN", initial_response=b"\x00u\x00p", hostname="h"),
    SaslChallenge(challenge=b"c"),
    SaslResponse(response=b"r"),
    SaslOutcome(code=1, additional_data=b"x"),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: type(record).__name__)
def test_record_round_trips_through_the_codec(record: object) -> None:
    decoded = decode_record(decode(encode(record.encode())))  # type: ignore[attr-defined]
    assert decoded == record


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: type(record).__name__)
def test_encoding_carries_every_field_including_trailing_nulls(record: object) -> None:
    described = record.encode()  # type: ignore[attr-defined]
    assert len(described.value) == len(dataclasses.fields(record))  # type: ignore[arg-type]
    # Descriptors go out as smallulong: the Python SDK reads the code at a fixed offset.
    assert encode(described)[:2] == b"\x00\x53"


def test_omitted_trailing_fields_take_their_defaults() -> None:
    record = decode_record(Described(ULong(0x12), ["link", 0, True]))
    assert record == Attach(name="link", handle=0, role=True)
    assert record.snd_settle_mode == 2
    assert record.rcv_settle_mode == 0


def test_symbolic_descriptor_is_accepted() -> None:
    assert decode_record(Described(Symbol("amqp:close:list"), [])) == Close()


def test_single_symbol_in_a_multiple_field_becomes_a_tuple() -> None:
    record = decode_record(Described(ULong(0x10), ["c", None, None, None, None, None, None, Symbol("cap")]))
    assert record.offered_capabilities == ("cap",)


def test_missing_mandatory_field_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="container-id"):
        decode_record(Described(ULong(0x10), []))


def test_unknown_descriptor_comes_back_unchanged() -> None:
    value = Described(Symbol("com.example:thing"), [1])
    assert decode_record(value) is value
