"""The frame parser: header checks, then the body as a performative or SASL frame.

Documented failures: `FramingError` (header) and `DecodeError` (body). A frame that decodes must encode
again into a frame that decodes to the same record.
"""

from __future__ import annotations

from amqp_core.codec import DecodeError
from amqp_core.framing import HEADER_SIZE, FramingError, decode_frame_body, encode_frame, parse_frame_header

from emulator_fuzz.errors import FuzzFindingError

MAX_FRAME_SIZE = 1 << 20


def frame_target(data: bytes) -> None:
    try:
        size, offset, frame_type, channel = parse_frame_header(data[:HEADER_SIZE], MAX_FRAME_SIZE)
        frame = decode_frame_body(frame_type, channel, memoryview(data)[offset:size])
    except (FramingError, DecodeError):
        return
    encoded = encode_frame(frame.frame_type, frame.channel, frame.body, frame.payload)
    size, offset, frame_type, channel = parse_frame_header(encoded[:HEADER_SIZE], MAX_FRAME_SIZE)
    again = decode_frame_body(frame_type, channel, memoryview(encoded)[offset:size])
    if again != frame:
        raise FuzzFindingError(f"frame changed in a round trip: {frame!r} became {again!r}")
