"""Cut a recorded AMQP client byte stream into its protocol headers and frames."""

from __future__ import annotations

import struct

from amqp_core.framing import AMQP_HEADER, HEADER_SIZE, SASL_HEADER


def split_stream(stream: bytes) -> list[bytes]:
    """The stream's protocol headers and whole frames, in order; a truncated tail is dropped."""
    pieces: list[bytes] = []
    position = 0
    while position + HEADER_SIZE <= len(stream):
        head = stream[position : position + HEADER_SIZE]
        if head in (AMQP_HEADER, SASL_HEADER):
            pieces.append(head)
            position += HEADER_SIZE
            continue
        (size,) = struct.unpack_from(">I", stream, position)
        if size < HEADER_SIZE or position + size > len(stream):
            break
        pieces.append(stream[position : position + size])
        position += size
    return pieces
