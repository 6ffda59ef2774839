"""Frame headers, bodies, heartbeats, and splitting/joining multi-frame transfers."""

from __future__ import annotations

import pytest
from amqp_core.codec import DecodeError
from amqp_core.framing import (
    FRAME_AMQP,
    FRAME_SASL,
    FramingError,
    MessageTooLargeError,
    TransferAssembler,
    decode_frame_body,
    encode_frame,
    parse_frame_header,
    split_transfer,
)
from amqp_core.performatives import Close, Flow, SaslOutcome, Transfer


def test_empty_frame_is_a_heartbeat() -> None:
    raw = encode_frame(FRAME_AMQP, 0, None)
    assert raw == bytes.fromhex("0000000802000000")
    assert decode_frame_body(FRAME_AMQP, 0, raw[8:]).body is None


def test_frame_round_trips_with_channel() -> None:
    raw = encode_frame(FRAME_AMQP, 7, Close())
    size, offset, frame_type, channel = parse_frame_header(raw[:8], 1024)
    assert (size, offset, frame_type, channel) == (len(raw), 8, FRAME_AMQP, 7)
    assert decode_frame_body(frame_type, channel, raw[offset:]).body == Close()


def test_sasl_frame_type_is_kept() -> None:
    raw = encode_frame(FRAME_SASL, 0, SaslOutcome(code=0))
    assert raw[5] == FRAME_SASL
    assert isinstance(decode_frame_body(FRAME_SASL, 0, raw[8:]).body, SaslOutcome)


def test_extended_header_is_skipped() -> None:
    body = encode_frame(FRAME_AMQP, 0, Close())[8:]
    raw = (8 + 4 + len(body)).to_bytes(4, "big") + bytes([3, 0, 0, 0]) + b"\x00" * 4 + body
    size, offset, frame_type, channel = parse_frame_header(raw[:8], 1024)
    assert offset == 12
    assert decode_frame_body(frame_type, channel, raw[offset:size]).body == Close()


@pytest.mark.parametrize(
    ("hexed", "message"),
    [
        ("0000000402000000", "smaller than its header"),
        ("0000100002000000", "exceeds max-frame-size"),
        ("0000000801000000", "data offset"),
        ("0000000802070000", "frame type"),
        ("00000008", "truncated"),
    ],
)
def test_bad_frame_headers_are_framing_errors(hexed: str, message: str) -> None:
    with pytest.raises(FramingError, match=message):
        parse_frame_header(bytes.fromhex(hexed), 1024)


def test_sasl_body_in_an_amqp_frame_is_refused() -> None:
    raw = encode_frame(FRAME_AMQP, 0, SaslOutcome(code=0))
    with pytest.raises(DecodeError):
        decode_frame_body(FRAME_AMQP, 0, raw[8:])


def test_payload_after_a_non_transfer_is_refused() -> None:
    raw = encode_frame(FRAME_AMQP, 0, Flow(incoming_window=1, next_outgoing_id=0, outgoing_window=1), b"junk")
    with pytest.raises(DecodeError, match="trailing"):
        decode_frame_body(FRAME_AMQP, 0, raw[8:])


def test_large_transfer_is_split_and_reassembled() -> None:
    payload = bytes(range(256)) * 40
    transfer = Transfer(handle=1, delivery_id=9, delivery_tag=b"tag", message_format=0, settled=False)
    frames = split_transfer(0, transfer, payload, 1000)
    assert len(frames) > 10
    assert all(len(frame) <= 1000 for frame in frames)
    assembler = TransferAssembler()
    result = None
    for index, frame in enumerate(frames):
        decoded = decode_frame_body(FRAME_AMQP, 0, frame[8:])
        assert isinstance(decoded.body, Transfer)
        assert decoded.body.more == (index < len(frames) - 1)
        result = assembler.add(decoded.body, decoded.payload)
    assert result is not None
    first, whole = result
    assert whole == payload
    assert first.delivery_tag == b"tag"


def test_small_transfer_stays_one_frame() -> None:
    frames = split_transfer(0, Transfer(handle=0, delivery_id=0, delivery_tag=b"t"), b"abc", 512)
    assert len(frames) == 1


def test_aborted_delivery_is_discarded() -> None:
    assembler = TransferAssembler()
    assert assembler.add(Transfer(handle=0, delivery_id=1, delivery_tag=b"t", more=True), b"ab") is None
    assert assembler.add(Transfer(handle=0, aborted=True), b"") is None
    assert not assembler.in_progress


def test_continuation_of_another_delivery_is_refused() -> None:
    assembler = TransferAssembler()
    assembler.add(Transfer(handle=0, delivery_id=1, delivery_tag=b"t", more=True), b"ab")
    with pytest.raises(DecodeError, match="interleaves"):
        assembler.add(Transfer(handle=0, delivery_id=2, delivery_tag=b"u"), b"cd")


def test_assembler_enforces_max_message_size() -> None:
    assembler = TransferAssembler(max_size=3)
    assembler.add(Transfer(handle=0, delivery_id=1, delivery_tag=b"t", more=True), b"ab")
    with pytest.raises(MessageTooLargeError):
        assembler.add(Transfer(handle=0, more=True), b"cd")


def test_assembler_skipping_oversize_reads_the_whole_delivery_then_reports_it() -> None:
    assembler = TransferAssembler(max_size=3, skip_oversize=True)
    first = Transfer(handle=0, delivery_id=1, delivery_tag=b"t", more=True)
    assert assembler.add(first, b"ab") is None
    assert assembler.add(Transfer(handle=0, more=True), b"cd") is None
    with pytest.raises(MessageTooLargeError) as raised:
        assembler.add(Transfer(handle=0), b"ef")
    assert raised.value.first == first
    assert raised.value.size == 6
    assert not assembler.in_progress
    assert assembler.add(Transfer(handle=0, delivery_id=2, delivery_tag=b"u"), b"ok") is not None
