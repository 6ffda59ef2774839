"""Encode and decode AMQP 1.0 values (the type system of part 1 of the specification).

Pure functions. Decoding works over a memoryview with offsets and a table of body decoders indexed by
constructor byte; any malformed input raises :class:`DecodeError` and nothing else. Encoding picks the
most compact constructor for each value (uint0, smallulong, sym8 ...), the forms every AMQP client
reads; the descriptors of performatives therefore go out as smallulong, which the Python SDK requires.
"""

from __future__ import annotations

import datetime as _dt
import struct
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from amqp_core.types import (
    AmqpType,
    Array,
    Byte,
    Char,
    Decimal32,
    Decimal64,
    Decimal128,
    Described,
    Float,
    Int,
    Long,
    Short,
    Symbol,
    Timestamp,
    UByte,
    UInt,
    ULong,
    UShort,
)

__all__ = ["DecodeError", "decode", "decode_value", "encode", "encode_into"]

MAX_DEPTH = 64
# Zero-width array elements (null, true, uint0 ...) cost no input bytes; cap them so a 10-byte frame
# cannot ask for a billion-element list.
MAX_ZERO_WIDTH_COUNT = 65_536


class DecodeError(ValueError):
    """The bytes are not a well-formed AMQP value."""


_Body = Callable[[memoryview, int, int], tuple[Any, int]]

_U8 = struct.Struct(">B")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_I8 = struct.Struct(">b")
_I16 = struct.Struct(">h")
_I32 = struct.Struct(">i")
_I64 = struct.Struct(">q")
_F32 = struct.Struct(">f")
_F64 = struct.Struct(">d")


# --------------------------------------------------------------------------------------------- decode


def _fixed(fmt: struct.Struct, wrap: Callable[[Any], Any]) -> _Body:
    size = fmt.size

    def body(buf: memoryview, offset: int, _depth: int) -> tuple[Any, int]:
        return wrap(fmt.unpack_from(buf, offset)[0]), offset + size

    return body


def _constant(value: Any) -> _Body:
    def body(_buf: memoryview, offset: int, _depth: int) -> tuple[Any, int]:
        return (list(value) if isinstance(value, list) else value), offset

    return body


def _take(buf: memoryview, offset: int, size: int) -> memoryview:
    end = offset + size
    if end > len(buf):
        raise DecodeError(f"value needs {size} bytes, {len(buf) - offset} left")
    return buf[offset:end]


def _raw(width: int, wrap: Callable[[bytes], Any]) -> _Body:
    def body(buf: memoryview, offset: int, _depth: int) -> tuple[Any, int]:
        return wrap(bytes(_take(buf, offset, width))), offset + width

    return body


def _variable(length_fmt: struct.Struct, wrap: Callable[[memoryview], Any]) -> _Body:
    head = length_fmt.size

    def body(buf: memoryview, offset: int, _depth: int) -> tuple[Any, int]:
        (size,) = length_fmt.unpack_from(buf, offset)
        start = offset + head
        return wrap(_take(buf, start, size)), start + size

    return body


def _text(view: memoryview) -> str:
    return str(view, "utf-8")


def _symbol(view: memoryview) -> Symbol:
    return Symbol(str(view, "ascii"))


def _char(code: int) -> Char:
    return Char(chr(code))


def _compound_header(buf: memoryview, offset: int, wide: bool) -> tuple[int, int, int]:
    """Read size and count; return (count, start of the items, end of the compound)."""
    fmt = _U32 if wide else _U8
    (size,) = fmt.unpack_from(buf, offset)
    start = offset + fmt.size
    end = start + size
    if end > len(buf) or size < fmt.size:
        raise DecodeError("compound size runs past the buffer")
    (count,) = fmt.unpack_from(buf, start)
    return count, start + fmt.size, end


def _list_body(wide: bool) -> _Body:
    def body(buf: memoryview, offset: int, depth: int) -> tuple[Any, int]:
        count, position, end = _compound_header(buf, offset, wide)
        if count > end - position:
            raise DecodeError("list count exceeds its size")
        bounded = buf[:end]
        items = []
        for _ in range(count):
            item, position = _decode(bounded, position, depth + 1)
            items.append(item)
        if position != end:
            raise DecodeError("list size does not match its items")
        return items, end

    return body


def _map_body(wide: bool) -> _Body:
    def body(buf: memoryview, offset: int, depth: int) -> tuple[Any, int]:
        count, position, end = _compound_header(buf, offset, wide)
        if count % 2:
            raise DecodeError("map has an odd number of elements")
        if count > end - position:
            raise DecodeError("map count exceeds its size")
        bounded = buf[:end]
        result: dict[Any, Any] = {}
        for _ in range(count // 2):
            key, position = _decode(bounded, position, depth + 1)
            value, position = _decode(bounded, position, depth + 1)
            try:
                result[key] = value
            except TypeError as exc:
                raise DecodeError("map key is not hashable") from exc
        if position != end:
            raise DecodeError("map size does not match its items")
        return result, end

    return body


def _array_body(wide: bool) -> _Body:
    def body(buf: memoryview, offset: int, depth: int) -> tuple[Any, int]:
        count, position, end = _compound_header(buf, offset, wide)
        bounded = buf[:end]
        descriptor = None
        if position >= end:
            raise DecodeError("array has no element constructor")
        constructor = bounded[position]
        position += 1
        if constructor == 0x00:
            descriptor, position = _decode(bounded, position, depth + 1)
            if position >= end:
                raise DecodeError("described array has no element constructor")
            constructor = bounded[position]
            position += 1
        element = _BODIES[constructor]
        element_type = _ARRAY_TYPES.get(constructor)
        if element is None or element_type is None:
            raise DecodeError(f"invalid array element constructor 0x{constructor:02x}")
        if constructor in _ZERO_WIDTH:
            if count > MAX_ZERO_WIDTH_COUNT:
                raise DecodeError("array of zero-width elements is too long")
        elif count > end - position:
            raise DecodeError("array count exceeds its size")
        items = []
        for _ in range(count):
            item, position = element(bounded, position, depth + 1)
            items.append(item)
        if position != end:
            raise DecodeError("array size does not match its items")
        return Array(element_type, tuple(items), descriptor), end

    return body


_BODIES: list[_Body | None] = [None] * 256
_BODIES[0x40] = _constant(None)
_BODIES[0x41] = _constant(True)
_BODIES[0x42] = _constant(False)
_BODIES[0x43] = _constant(UInt(0))
_BODIES[0x44] = _constant(ULong(0))
_BODIES[0x45] = _constant([])
_BODIES[0x50] = _fixed(_U8, UByte)
_BODIES[0x51] = _fixed(_I8, Byte)
_BODIES[0x52] = _fixed(_U8, UInt)
_BODIES[0x53] = _fixed(_U8, ULong)
_BODIES[0x54] = _fixed(_I8, Int)
_BODIES[0x55] = _fixed(_I8, Long)
_BODIES[0x56] = _fixed(_U8, lambda byte: _boolean(byte))
_BODIES[0x60] = _fixed(_U16, UShort)
_BODIES[0x61] = _fixed(_I16, Short)
_BODIES[0x70] = _fixed(_U32, UInt)
_BODIES[0x71] = _fixed(_I32, Int)
_BODIES[0x72] = _fixed(_F32, Float)
_BODIES[0x73] = _fixed(_U32, _char)
_BODIES[0x74] = _raw(4, Decimal32)
_BODIES[0x80] = _fixed(_U64, ULong)
_BODIES[0x81] = _fixed(_I64, Long)
_BODIES[0x82] = _fixed(_F64, float)
_BODIES[0x83] = _fixed(_I64, Timestamp)
_BODIES[0x84] = _raw(8, Decimal64)
_BODIES[0x94] = _raw(16, Decimal128)
_BODIES[0x98] = _raw(16, lambda raw: uuid.UUID(bytes=raw))
_BODIES[0xA0] = _variable(_U8, bytes)
_BODIES[0xA1] = _variable(_U8, _text)
_BODIES[0xA3] = _variable(_U8, _symbol)
_BODIES[0xB0] = _variable(_U32, bytes)
_BODIES[0xB1] = _variable(_U32, _text)
_BODIES[0xB3] = _variable(_U32, _symbol)
_BODIES[0xC0] = _list_body(wide=False)
_BODIES[0xC1] = _map_body(wide=False)
_BODIES[0xD0] = _list_body(wide=True)
_BODIES[0xD1] = _map_body(wide=True)
_BODIES[0xE0] = _array_body(wide=False)
_BODIES[0xF0] = _array_body(wide=True)

_ZERO_WIDTH = frozenset({0x40, 0x41, 0x42, 0x43, 0x44, 0x45})

_ARRAY_TYPES: dict[int, AmqpType] = {
    0x40: AmqpType.NULL,
    0x41: AmqpType.BOOLEAN,
    0x42: AmqpType.BOOLEAN,
    0x56: AmqpType.BOOLEAN,
    0x43: AmqpType.UINT,
    0x52: AmqpType.UINT,
    0x70: AmqpType.UINT,
    0x44: AmqpType.ULONG,
    0x53: AmqpType.ULONG,
    0x80: AmqpType.ULONG,
    0x50: AmqpType.UBYTE,
    0x60: AmqpType.USHORT,
    0x51: AmqpType.BYTE,
    0x61: AmqpType.SHORT,
    0x54: AmqpType.INT,
    0x71: AmqpType.INT,
    0x55: AmqpType.LONG,
    0x81: AmqpType.LONG,
    0x72: AmqpType.FLOAT,
    0x82: AmqpType.DOUBLE,
    0x74: AmqpType.DECIMAL32,
    0x84: AmqpType.DECIMAL64,
    0x94: AmqpType.DECIMAL128,
    0x73: AmqpType.CHAR,
    0x83: AmqpType.TIMESTAMP,
    0x98: AmqpType.UUID,
    0xA0: AmqpType.BINARY,
    0xB0: AmqpType.BINARY,
    0xA1: AmqpType.STRING,
    0xB1: AmqpType.STRING,
    0xA3: AmqpType.SYMBOL,
    0xB3: AmqpType.SYMBOL,
    0x45: AmqpType.LIST,
    0xC0: AmqpType.LIST,
    0xD0: AmqpType.LIST,
    0xC1: AmqpType.MAP,
    0xD1: AmqpType.MAP,
    0xE0: AmqpType.ARRAY,
    0xF0: AmqpType.ARRAY,
}


def _boolean(byte: int) -> bool:
    if byte > 1:
        raise DecodeError(f"boolean byte must be 0 or 1, got {byte}")
    return byte == 1


def _decode(buf: memoryview, offset: int, depth: int) -> tuple[Any, int]:
    if depth > MAX_DEPTH:
        raise DecodeError("value nested too deeply")
    if offset >= len(buf):
        raise DecodeError("value truncated: no constructor")
    constructor = buf[offset]
    if constructor == 0x00:
        descriptor, offset = _decode(buf, offset + 1, depth + 1)
        value, offset = _decode(buf, offset, depth + 1)
        return Described(descriptor, value), offset
    body = _BODIES[constructor]
    if body is None:
        raise DecodeError(f"invalid constructor 0x{constructor:02x}")
    return body(buf, offset + 1, depth)


def decode_value(data: bytes | bytearray | memoryview, offset: int = 0) -> tuple[Any, int]:
    """Decode one value starting at ``offset``; return it and the offset just past it."""
    buf = data if isinstance(data, memoryview) else memoryview(data)
    try:
        return _decode(buf, offset, 0)
    except DecodeError:
        raise
    except (struct.error, IndexError, ValueError, OverflowError, RecursionError) as exc:
        raise DecodeError(f"malformed AMQP value: {exc}") from exc


def decode(data: bytes | bytearray | memoryview) -> Any:
    """Decode a buffer that holds exactly one value."""
    value, end = decode_value(data)
    if end != len(data):
        raise DecodeError(f"{len(data) - end} bytes left after the value")
    return value


# --------------------------------------------------------------------------------------------- encode


def encode(value: Any) -> bytes:
    """Encode a value in the most compact form that keeps its AMQP type."""
    out = bytearray()
    encode_into(out, value)
    return bytes(out)


def encode_into(out: bytearray, value: Any) -> None:
    """Append the encoding of ``value`` to ``out``."""
    encoder = _ENCODERS.get(type(value))
    if encoder is None:
        encoder = _encoder_for_subclass(value)
    encoder(out, value)


def _encode_null(out: bytearray, _value: Any) -> None:
    out.append(0x40)


def _encode_bool(out: bytearray, value: bool) -> None:
    out.append(0x41 if value else 0x42)


def _unsigned_encoder(
    zero: int, small: int, wide: int, fmt: struct.Struct
) -> Callable[[bytearray, Any], None]:
    """uint and ulong: a zero-width constructor for 0, a one-byte form below 256, else the full width."""

    def encoder(out: bytearray, value: int) -> None:
        if value == 0:
            out.append(zero)
        elif value < 0x100:
            out += bytes((small, value))
        else:
            out.append(wide)
            out += fmt.pack(value)

    return encoder


def _encode_int(out: bytearray, value: int) -> None:
    if -0x80 <= value <= 0x7F:
        out.append(0x54)
        out += _I8.pack(value)
    else:
        out.append(0x71)
        out += _I32.pack(value)


def _encode_long(out: bytearray, value: int) -> None:
    if -0x80 <= value <= 0x7F:
        out.append(0x55)
        out += _I8.pack(value)
    elif Long.MIN <= value <= Long.MAX:
        out.append(0x81)
        out += _I64.pack(value)
    else:
        raise ValueError(f"{value} does not fit an AMQP long; wrap it in ULong")


def _fixed_encoder(constructor: int, fmt: struct.Struct) -> Callable[[bytearray, Any], None]:
    def encoder(out: bytearray, value: Any) -> None:
        out.append(constructor)
        out += fmt.pack(value)

    return encoder


def _raw_encoder(constructor: int) -> Callable[[bytearray, Any], None]:
    def encoder(out: bytearray, value: bytes) -> None:
        out.append(constructor)
        out += value

    return encoder


def _encode_char(out: bytearray, value: str) -> None:
    out.append(0x73)
    out += _U32.pack(ord(value))


def _encode_datetime(out: bytearray, value: _dt.datetime) -> None:
    out.append(0x83)
    out += _I64.pack(Timestamp.from_datetime(value))


def _encode_uuid(out: bytearray, value: uuid.UUID) -> None:
    out.append(0x98)
    out += value.bytes


def _variable_encoder(small: int, large: int, to_bytes: Callable[[Any], bytes]) -> Callable[..., None]:
    def encoder(out: bytearray, value: Any) -> None:
        raw = to_bytes(value)
        if len(raw) < 0x100:
            out += bytes((small, len(raw)))
        else:
            out.append(large)
            out += _U32.pack(len(raw))
        out += raw

    return encoder


def _utf8(value: str) -> bytes:
    return value.encode("utf-8")


def _ascii(value: str) -> bytes:
    return value.encode("ascii")


def _compound(out: bytearray, small: int, large: int, count: int, payload: bytes | bytearray) -> None:
    if count < 0x100 and len(payload) + 1 < 0x100:
        out += bytes((small, len(payload) + 1, count))
    else:
        out.append(large)
        out += _U32.pack(len(payload) + 4)
        out += _U32.pack(count)
    out += payload


def _encode_list(out: bytearray, value: Sequence[Any]) -> None:
    if not value:
        out.append(0x45)
        return
    payload = bytearray()
    for item in value:
        encode_into(payload, item)
    _compound(out, 0xC0, 0xD0, len(value), payload)


def _encode_map(out: bytearray, value: dict[Any, Any]) -> None:
    payload = bytearray()
    for key, item in value.items():
        encode_into(payload, key)
        encode_into(payload, item)
    _compound(out, 0xC1, 0xD1, len(value) * 2, payload)


def _encode_described(out: bytearray, value: Described) -> None:
    out.append(0x00)
    encode_into(out, value.descriptor)
    encode_into(out, value.value)


# Array elements share one constructor, so fixed-width types use their full-width form.
_ARRAY_FIXED: dict[AmqpType, tuple[int, Callable[[Any], bytes]]] = {
    AmqpType.NULL: (0x40, lambda _v: b""),
    AmqpType.BOOLEAN: (0x56, lambda v: b"\x01" if v else b"\x00"),
    AmqpType.UBYTE: (0x50, _U8.pack),
    AmqpType.USHORT: (0x60, _U16.pack),
    AmqpType.UINT: (0x70, _U32.pack),
    AmqpType.ULONG: (0x80, _U64.pack),
    AmqpType.BYTE: (0x51, _I8.pack),
    AmqpType.SHORT: (0x61, _I16.pack),
    AmqpType.INT: (0x71, _I32.pack),
    AmqpType.LONG: (0x81, _I64.pack),
    AmqpType.FLOAT: (0x72, _F32.pack),
    AmqpType.DOUBLE: (0x82, _F64.pack),
    AmqpType.DECIMAL32: (0x74, bytes),
    AmqpType.DECIMAL64: (0x84, bytes),
    AmqpType.DECIMAL128: (0x94, bytes),
    AmqpType.CHAR: (0x73, lambda v: _U32.pack(ord(v))),
    AmqpType.TIMESTAMP: (
        0x83,
        lambda v: _I64.pack(Timestamp.from_datetime(v) if isinstance(v, _dt.datetime) else v),
    ),
    AmqpType.UUID: (0x98, lambda v: v.bytes),
}

_ARRAY_VARIABLE: dict[AmqpType, tuple[int, int, Callable[[Any], bytes]]] = {
    AmqpType.BINARY: (0xA0, 0xB0, bytes),
    AmqpType.STRING: (0xA1, 0xB1, _utf8),
    AmqpType.SYMBOL: (0xA3, 0xB3, _ascii),
}


def _compound_parts(element_type: AmqpType, value: Any) -> tuple[int, bytes]:
    """Return (count, payload) of a list, map or array element, without its constructor."""
    payload = bytearray()
    if element_type is AmqpType.LIST:
        for item in value:
            encode_into(payload, item)
        return len(value), bytes(payload)
    if element_type is AmqpType.MAP:
        for key, item in value.items():
            encode_into(payload, key)
            encode_into(payload, item)
        return len(value) * 2, bytes(payload)
    if not isinstance(value, Array):
        raise TypeError("elements of an array of arrays must be Array values")
    constructor_and_bodies = _array_payload(value)
    return len(value.items), constructor_and_bodies


_COMPOUND_CONSTRUCTORS = {
    AmqpType.LIST: (0xC0, 0xD0),
    AmqpType.MAP: (0xC1, 0xD1),
    AmqpType.ARRAY: (0xE0, 0xF0),
}


def _array_payload(array: Array) -> bytes:
    """The element constructor (with descriptor) followed by every element body."""
    head = bytearray()
    if array.descriptor is not None:
        head.append(0x00)
        encode_into(head, array.descriptor)
    body = bytearray()
    kind = array.element_type
    if kind in _ARRAY_FIXED:
        constructor, pack = _ARRAY_FIXED[kind]
        for item in array.items:
            body += pack(item)
    elif kind in _ARRAY_VARIABLE:
        small, large, to_bytes = _ARRAY_VARIABLE[kind]
        raws = [to_bytes(item) for item in array.items]
        wide = any(len(raw) >= 0x100 for raw in raws)
        constructor = large if wide else small
        for raw in raws:
            body += _U32.pack(len(raw)) if wide else bytes((len(raw),))
            body += raw
    else:
        small, large = _COMPOUND_CONSTRUCTORS[kind]
        parts = [_compound_parts(kind, item) for item in array.items]
        wide = any(count >= 0x100 or len(payload) + 1 >= 0x100 for count, payload in parts)
        constructor = large if wide else small
        for count, payload in parts:
            if wide:
                body += _U32.pack(len(payload) + 4) + _U32.pack(count)
            else:
                body += bytes((len(payload) + 1, count))
            body += payload
    head.append(constructor)
    return bytes(head + body)


def _encode_array(out: bytearray, value: Array) -> None:
    _compound(out, 0xE0, 0xF0, len(value.items), _array_payload(value))


_ENCODERS: dict[type, Callable[[bytearray, Any], None]] = {
    type(None): _encode_null,
    bool: _encode_bool,
    UByte: _fixed_encoder(0x50, _U8),
    UShort: _fixed_encoder(0x60, _U16),
    UInt: _unsigned_encoder(0x43, 0x52, 0x70, _U32),
    ULong: _unsigned_encoder(0x44, 0x53, 0x80, _U64),
    Byte: _fixed_encoder(0x51, _I8),
    Short: _fixed_encoder(0x61, _I16),
    Int: _encode_int,
    Long: _encode_long,
    int: _encode_long,
    Float: _fixed_encoder(0x72, _F32),
    float: _fixed_encoder(0x82, _F64),
    Decimal32: _raw_encoder(0x74),
    Decimal64: _raw_encoder(0x84),
    Decimal128: _raw_encoder(0x94),
    Char: _encode_char,
    Timestamp: _fixed_encoder(0x83, _I64),
    _dt.datetime: _encode_datetime,
    uuid.UUID: _encode_uuid,
    bytes: _variable_encoder(0xA0, 0xB0, bytes),
    bytearray: _variable_encoder(0xA0, 0xB0, bytes),
    memoryview: _variable_encoder(0xA0, 0xB0, bytes),
    str: _variable_encoder(0xA1, 0xB1, _utf8),
    Symbol: _variable_encoder(0xA3, 0xB3, _ascii),
    list: _encode_list,
    tuple: _encode_list,
    dict: _encode_map,
    Described: _encode_described,
    Array: _encode_array,
}

# Checked in order for subclasses (an IntEnum, a str subclass ...); wrappers come before their bases.
_SUBCLASS_ORDER: tuple[type, ...] = (
    bool,
    UByte,
    UShort,
    UInt,
    ULong,
    Byte,
    Short,
    Int,
    Timestamp,
    Long,
    int,
    Float,
    float,
    Decimal32,
    Decimal64,
    Decimal128,
    bytes,
    Symbol,
    Char,
    str,
    _dt.datetime,
    uuid.UUID,
    list,
    tuple,
    dict,
)


def _encoder_for_subclass(value: Any) -> Callable[[bytearray, Any], None]:
    for base in _SUBCLASS_ORDER:
        if isinstance(value, base):
            return _ENCODERS[base]
    raise TypeError(f"no AMQP encoding for {type(value).__name__}")
