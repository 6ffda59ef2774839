"""Where each section of an encoded AMQP message starts and ends, without decoding the sections.

A broker that delivers a stored message changes only what comes before its bare message (part 3, 3.2):
the header, the delivery annotations, the message annotations. The bare message (properties, application
properties, body, footer) goes out byte for byte as the sender encoded it, so finding its bytes takes one
constructor byte and at most one size per section, where decoding them would build every value on the way.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from amqp_core.codec import DecodeError, decode_value
from amqp_core.types import Described

HEADER = 0x70
DELIVERY_ANNOTATIONS = 0x71
MESSAGE_ANNOTATIONS = 0x72
PROPERTIES = 0x73
FOOTER = 0x78
# Body sections may repeat (several data or amqp-sequence sections); every other section comes once.
_REPEATABLE = frozenset({0x75, 0x76})

_SYMBOLIC = {
    "amqp:header:list": HEADER,
    "amqp:delivery-annotations:map": DELIVERY_ANNOTATIONS,
    "amqp:message-annotations:map": MESSAGE_ANNOTATIONS,
    "amqp:properties:list": PROPERTIES,
    "amqp:application-properties:map": 0x74,
    "amqp:data:binary": 0x75,
    "amqp:amqp-sequence:list": 0x76,
    "amqp:value:*": 0x77,
    "amqp:footer:map": FOOTER,
}
_SMALL_ULONG = b"\x53"
# Bytes after the constructor of a fixed-width value, by the constructor's high nibble (part 1, 1.6).
_FIXED_WIDTHS = {0x4: 0, 0x5: 1, 0x6: 2, 0x7: 4, 0x8: 8, 0x9: 16}
# Width of the size that follows the constructor of a variable-width, compound or array value.
_SIZE_WIDTHS = {0xA: 1, 0xB: 4, 0xC: 1, 0xD: 4, 0xE: 1, 0xF: 4}


@dataclass(frozen=True, slots=True)
class Section:
    code: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Annotated:
    """An encoded message cut where a broker rewrites it: each part as bytes (empty when absent), and the
    message annotations decoded, since a broker adds to them."""

    header: bytes
    delivery_annotations: bytes
    message_annotations: dict[Any, Any]
    bare: bytes


def _skip(data: bytes, offset: int) -> int:
    """The offset just past the value encoded at ``offset``."""
    if offset >= len(data):
        raise DecodeError("value runs past the end of the message")
    constructor = data[offset]
    if constructor == 0x00:
        return _skip(data, _skip(data, offset + 1))
    nibble = constructor >> 4
    fixed = _FIXED_WIDTHS.get(nibble)
    if fixed is not None:
        end = offset + 1 + fixed
    else:
        width = _SIZE_WIDTHS.get(nibble)
        if width is None:
            raise DecodeError(f"unknown constructor 0x{constructor:02x}")
        size_end = offset + 1 + width
        if size_end > len(data):
            raise DecodeError("value size runs past the end of the message")
        end = size_end + int.from_bytes(data[offset + 1 : size_end], "big")
    if end > len(data):
        raise DecodeError("value runs past the end of the message")
    return end


def _code(descriptor: object) -> int:
    if isinstance(descriptor, str):
        code = _SYMBOLIC.get(str(descriptor))
        if code is not None:
            return code
    elif isinstance(descriptor, int) and HEADER <= descriptor <= FOOTER:
        return int(descriptor)
    raise DecodeError(f"unknown message section {descriptor!r}")


def sections(data: bytes) -> list[Section]:
    """Every section of the encoded message ``data``, in the order they come; DecodeError if it is not a
    sequence of described sections."""
    found: list[Section] = []
    offset = 0
    while offset < len(data):
        if data[offset] != 0x00:
            raise DecodeError("message section is not a described value")
        if data[offset + 1 : offset + 2] == _SMALL_ULONG and offset + 2 < len(data):
            # What every SDK sends: the section's code as a one-byte ulong.
            code, value_start = _code(data[offset + 2]), offset + 3
        else:
            descriptor, value_start = decode_value(data, offset + 1)
            code = _code(descriptor)
        found.append(Section(code, offset, _skip(data, value_start)))
        offset = found[-1].end
    return found


def in_order(found: list[Section]) -> bool:
    """Whether the sections come in the specification's order, each once but the body's."""
    return all(
        later.code > earlier.code or (later.code == earlier.code and later.code in _REPEATABLE)
        for earlier, later in itertools.pairwise(found)
    )


def section_value(data: bytes, section: Section) -> Any:
    """The decoded value of one section."""
    described, _ = decode_value(data, section.start)
    if not isinstance(described, Described):
        raise DecodeError("message section is not a described value")
    return described.value


def annotated(data: bytes) -> Annotated | None:
    """``data`` cut before its bare message; None when its sections are out of the specification's order
    (then a broker must decode it whole: an annotation section after the properties is still one)."""
    found = sections(data)
    if not in_order(found):
        return None
    header = delivery_annotations = b""
    message_annotations: dict[Any, Any] = {}
    bare = len(data)
    for section in found:
        if section.code == HEADER:
            header = data[section.start : section.end]
        elif section.code == DELIVERY_ANNOTATIONS:
            delivery_annotations = data[section.start : section.end]
        elif section.code == MESSAGE_ANNOTATIONS:
            value = section_value(data, section)
            message_annotations = dict(value) if isinstance(value, dict) else {}
        else:
            bare = section.start
            break
    return Annotated(header, delivery_annotations, message_annotations, data[bare:])
