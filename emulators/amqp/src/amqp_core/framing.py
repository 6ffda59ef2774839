"""AMQP 1.0 framing: protocol headers, frame headers, frame bodies, multi-frame transfers.

A frame is ``size:4 doff:1 type:1 channel:2``, extended header (``doff * 4 - 8`` bytes, skipped), then
the body: one described performative and, for a transfer, the payload bytes after it. A frame of
exactly 8 bytes has no body: it is a heartbeat.
"""

from __future__ import annotations

import dataclasses
import struct
from typing import Any

from amqp_core.codec import DecodeError, decode_value, encode
from amqp_core.performatives import Performative, Record, SaslFrame, Transfer, decode_record

__all__ = [
    "AMQP_HEADER",
    "FRAME_AMQP",
    "FRAME_SASL",
    "HEADER_SIZE",
    "MIN_MAX_FRAME_SIZE",
    "SASL_HEADER",
    "Frame",
    "FramingError",
    "TransferAssembler",
    "decode_frame_body",
    "encode_frame",
    "parse_frame_header",
    "split_transfer",
]

AMQP_HEADER = b"AMQP\x00\x01\x00\x00"
SASL_HEADER = b"AMQP\x03\x01\x00\x00"
HEADER_SIZE = 8
MIN_MAX_FRAME_SIZE = 512
FRAME_AMQP = 0x00
FRAME_SASL = 0x01

_HEADER = struct.Struct(">IBBH")


class FramingError(ValueError):
    """The byte stream violates AMQP framing (bad header, oversize frame, bad data offset)."""


@dataclasses.dataclass(slots=True)
class Frame:
    """One frame: ``body`` is None for an empty (heartbeat) frame; ``payload`` follows a transfer."""

    frame_type: int
    channel: int
    body: Record | None
    payload: bytes = b""


def parse_frame_header(header: bytes, max_frame_size: int) -> tuple[int, int, int, int]:
    """Validate a frame header; return (size, data offset in bytes, frame type, channel)."""
    if len(header) != HEADER_SIZE:
        raise FramingError("truncated frame header")
    size, doff, frame_type, channel = _HEADER.unpack(header)
    if size < HEADER_SIZE:
        raise FramingError(f"frame size {size} is smaller than its header")
    if size > max_frame_size:
        raise FramingError(f"frame of {size} bytes exceeds max-frame-size {max_frame_size}")
    if doff < 2 or doff * 4 > size:
        raise FramingError(f"invalid data offset {doff}")
    if frame_type not in (FRAME_AMQP, FRAME_SASL):
        raise FramingError(f"unknown frame type {frame_type}")
    return size, doff * 4, frame_type, channel


def decode_frame_body(frame_type: int, channel: int, body: bytes | memoryview) -> Frame:
    """Decode the bytes after the (extended) header into a frame."""
    if not body:
        return Frame(frame_type, channel, None)
    value, end = decode_value(body)
    record = decode_record(value)
    expected = Performative if frame_type == FRAME_AMQP else SaslFrame
    if not isinstance(record, expected):
        raise DecodeError(f"frame body is not a {expected.__name__.lower()}: {type(record).__name__}")
    payload = bytes(body[end:])
    if payload and not isinstance(record, Transfer):
        raise DecodeError(f"{record.NAME} frame carries trailing bytes")
    return Frame(frame_type, channel, record, payload)


def encode_frame(frame_type: int, channel: int, body: Record | None, payload: bytes = b"") -> bytes:
    """The wire bytes of one frame (an empty frame when ``body`` is None)."""
    raw = b"" if body is None else encode(body.encode()) + payload
    return _HEADER.pack(HEADER_SIZE + len(raw), 2, frame_type, channel) + raw


def split_transfer(channel: int, transfer: Transfer, payload: bytes, max_frame_size: int) -> list[bytes]:
    """Encode a delivery as one or more transfer frames that each fit ``max_frame_size``.

    Every frame repeats the delivery-id, tag, format and settled flag (allowed, and the Python SDK reads
    ``settled`` from the last frame); all but the last carry ``more=true``.
    """
    first = dataclasses.replace(transfer, more=False)
    whole = encode_frame(FRAME_AMQP, channel, first, payload)
    if len(whole) <= max_frame_size:
        return [whole]
    overhead = len(encode_frame(FRAME_AMQP, channel, dataclasses.replace(transfer, more=True)))
    room = max_frame_size - overhead
    if room <= 0:
        raise FramingError("max-frame-size too small for a transfer")
    frames = []
    for start in range(0, len(payload), room):
        chunk = payload[start : start + room]
        more = start + room < len(payload)
        frames.append(encode_frame(FRAME_AMQP, channel, dataclasses.replace(transfer, more=more), chunk))
    return frames


class TransferAssembler:
    """Joins the frames of one multi-frame delivery on a link.

    ``add`` returns the first transfer of the delivery and the whole payload once the last frame
    (``more=false``) arrives, or None while more are expected. An aborted delivery is discarded.

    A delivery growing past ``max_size`` raises `MessageTooLargeError` at once, unless
    ``skip_oversize`` is set: then the rest of it is read and dropped, and the error is raised when
    its last frame arrives, carrying the first transfer so the delivery can still be settled.
    """

    def __init__(self, max_size: int | None = None, *, skip_oversize: bool = False) -> None:
        self._first: Transfer | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self._max_size = max_size
        self.skip_oversize = skip_oversize
        self._skipping = False

    @property
    def in_progress(self) -> bool:
        return self._first is not None

    def add(self, transfer: Transfer, payload: bytes) -> tuple[Transfer, bytes] | None:
        if self._first is None:
            if transfer.delivery_id is None or transfer.delivery_tag is None:
                raise DecodeError("first transfer of a delivery needs a delivery-id and tag")
            self._first = transfer
        elif transfer.delivery_id is not None and transfer.delivery_id != self._first.delivery_id:
            raise DecodeError("transfer interleaves another delivery on the same link")
        if transfer.aborted:
            self.reset()
            return None
        self._size += len(payload)
        if not self._skipping and self._max_size is not None and self._size > self._max_size:
            if not self.skip_oversize:
                raise MessageTooLargeError(self._size, self._max_size)
            self._skipping = True
            self._chunks = []
        if not self._skipping:
            self._chunks.append(payload)
        if transfer.more:
            return None
        first = self._first
        if self._skipping:
            size, limit = self._size, self._max_size or 0
            self.reset()
            raise MessageTooLargeError(size, limit, first)
        if transfer.settled is not None:
            first = dataclasses.replace(first, settled=transfer.settled)
        if transfer.state is not None:
            first = dataclasses.replace(first, state=transfer.state)
        whole = b"".join(self._chunks)
        self.reset()
        return first, whole

    def reset(self) -> None:
        self._first = None
        self._chunks = []
        self._size = 0
        self._skipping = False


class MessageTooLargeError(Exception):
    """A delivery grew past the link's max-message-size.

    ``first`` is the delivery's first transfer once the whole delivery has been read (skip mode), else None.
    """

    def __init__(self, size: int, limit: int, first: Transfer | None = None) -> None:
        qualifier = "" if first is not None else "at least "
        super().__init__(f"message of {qualifier}{size} bytes exceeds max-message-size {limit}")
        self.size = size
        self.limit = limit
        self.first = first


def describe(value: Any) -> str:
    """A short name for a frame body, for logs (never the payload)."""
    return type(value).__name__ if value is not None else "Empty"
