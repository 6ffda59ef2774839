"""A performative field holding a value of the wrong AMQP type is a decode error, found by emulators/fuzz.

Before, `decode_record` accepted any value in any field and the code reading the record failed later
with a ValueError / TypeError / AttributeError (an ``amqp:internal-error`` close, logged as a crash):
the fuzzer's inputs were a flow whose link-credit is a decimal32 (target ``frame``) and an attach whose
snd-settle-mode is an empty binary (target ``handshake``).
"""

from __future__ import annotations

from typing import Any

import pytest
from amqp_core.codec import DecodeError, encode
from amqp_core.errors import Condition
from amqp_core.framing import FRAME_AMQP, decode_frame_body, encode_frame, parse_frame_header
from amqp_core.performatives import Attach, Close, Source, Target, decode_record
from amqp_core.types import Decimal32, Described, Symbol, UByte, UInt, ULong
from emulator_common.raw_amqp import RawAmqpClient

from .amqp_helpers import running_server

# The frame target's input: a flow (descriptor 0x13) with a decimal32 (0x74) as its link-credit.
FUZZED_FLOW = bytes.fromhex("0000002602000001005313c0190b437000010000437000010000520143740000271040404040")


def _record(code: int, fields: list[Any]) -> Any:
    return decode_record(Described(ULong(code), fields))


def test_the_fuzzers_flow_is_a_decode_error_naming_the_field() -> None:
    size, offset, frame_type, channel = parse_frame_header(FUZZED_FLOW[:8], 1 << 20)
    with pytest.raises(DecodeError, match="link-credit cannot be a Decimal32"):
        decode_frame_body(frame_type, channel, FUZZED_FLOW[offset:size])


@pytest.mark.parametrize(
    ("code", "fields", "message"),
    [
        (0x12, ["link", UInt(1), False, b""], "snd-settle-mode cannot be a bytes"),
        (0x10, ["container", None, "big"], "max-frame-size cannot be a str"),
        (0x10, [["not", "a", "string"]], "container-id cannot be a list"),
        (0x11, [None, UInt(0), UInt(1), UInt(1), ULong(1 << 40)], "handle-max: UInt out of range"),
        (0x11, [None, UInt(0), True, UInt(1)], "incoming-window cannot be a bool"),
        (0x12, ["link", UInt(1), UInt(1)], "role cannot be a UInt"),
        (0x12, ["link", UInt(1), False, None, None, UInt(7)], "source cannot be a UInt"),
        (
            0x12,
            ["link", UInt(1), False, None, None, Described(Symbol("x:y"), [])],
            "source cannot be a Described",
        ),
        (0x12, ["link", UInt(1), False, None, None, _record(0x29, ["q"])], "source cannot be a Target"),
        (0x10, ["c", None, None, None, None, None, None, [UInt(1)]], "offered-capabilities cannot be a UInt"),
        (
            0x10,
            ["c", None, None, None, None, None, None, None, None, ["not", "a", "map"]],
            "properties cannot",
        ),
        (0x41, [UInt(3)], "mechanism cannot be a UInt"),
        (0x16, [UInt(1), False, Decimal32(b"\x00" * 4)], "error cannot be a Decimal32"),
    ],
)
def test_wrong_field_types_are_decode_errors(code: int, fields: list[Any], message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        _record(code, fields)


def test_well_typed_records_still_decode() -> None:
    attach = _record(
        0x12, ["link", UInt(1), True, UByte(1), UByte(0), _record(0x28, ["q"]), _record(0x29, ["q"])]
    )
    assert isinstance(attach, Attach)
    assert isinstance(attach.source, Source)
    assert attach.source.address == "q"
    assert isinstance(attach.target, Target)
    assert attach.snd_settle_mode == 1


async def test_a_connection_closes_with_decode_error_not_internal_error() -> None:
    async with running_server() as server:
        client = await RawAmqpClient.connect(server.port)
        await client.open_session()
        body = encode(Described(ULong(0x12), ["link", UInt(1), False, b""]))
        client.send_raw((8 + len(body)).to_bytes(4, "big") + bytes((2, FRAME_AMQP, 0, 0)) + body)
        close: Close = await client.expect(Close)
        assert close.error is not None
        assert close.error.condition == Condition.DECODE_ERROR
        assert "snd-settle-mode" in (close.error.description or "")


# The frame target's second input: an attach whose unsettled map (an untyped field) is a described target.
FUZZED_ATTACH = bytes.fromhex(
    # pragma: allowlist nextline secret (frame bytes from the fuzzer)
    "0000006b02000001005312c05e0ea12463333666346339392d313530652d346234372d613636302d623535373635363938"
    # pragma: allowlist nextline secret (frame bytes from the fuzzer)
    "3066325202560150005000005328c0110ba104246362734040404040404040404040005329c00d07a104246362734040"
    "404040404040404040404040"
)


def test_an_untyped_field_holding_a_known_record_encodes_again() -> None:
    size, offset, frame_type, channel = parse_frame_header(FUZZED_ATTACH[:8], 1 << 20)
    frame = decode_frame_body(frame_type, channel, FUZZED_ATTACH[offset:size])
    assert isinstance(frame.body, Attach)
    assert isinstance(frame.body.unsettled, Target)
    again = encode_frame(FRAME_AMQP, channel, frame.body)
    assert decode_frame_body(FRAME_AMQP, channel, again[8:]).body == frame.body
