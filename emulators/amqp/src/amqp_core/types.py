"""Typed AMQP 1.0 values.

Plain Python values map to one AMQP type each: ``None`` → null, ``bool`` → boolean, ``int`` → long,
``float`` → double, ``str`` → string, ``bytes`` → binary, ``uuid.UUID`` → uuid, ``list`` → list,
``dict`` → map, ``datetime`` → timestamp (encode only). Every other AMQP type needs a wrapper from this
module. The wrappers subclass the matching Python type, so ``Symbol("a") == "a"`` and ``UInt(5) + 1``
work, and dictionaries keyed by symbols can be read with plain strings.

The decoder always returns the wrapper of the type it read (``Long`` for a long, ``Symbol`` for a
symbol ...), so decoding then encoding a value reproduces the same AMQP type.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AmqpType",
    "Array",
    "Byte",
    "Char",
    "Decimal32",
    "Decimal64",
    "Decimal128",
    "Described",
    "Float",
    "Int",
    "Long",
    "Short",
    "Symbol",
    "Timestamp",
    "UByte",
    "UInt",
    "ULong",
    "UShort",
    "symbols",
]


class _BoundedInt(int):
    """An int restricted to the range of one AMQP integer type."""

    MIN = 0
    MAX = 0

    def __new__(cls, value: int = 0) -> Any:
        number = int(value)
        if not cls.MIN <= number <= cls.MAX:
            raise ValueError(f"{cls.__name__} out of range: {number}")
        return super().__new__(cls, number)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"


class UByte(_BoundedInt):
    MIN, MAX = 0, 0xFF


class UShort(_BoundedInt):
    MIN, MAX = 0, 0xFFFF


class UInt(_BoundedInt):
    MIN, MAX = 0, 0xFFFF_FFFF


class ULong(_BoundedInt):
    MIN, MAX = 0, 0xFFFF_FFFF_FFFF_FFFF


class Byte(_BoundedInt):
    MIN, MAX = -0x80, 0x7F


class Short(_BoundedInt):
    MIN, MAX = -0x8000, 0x7FFF


class Int(_BoundedInt):
    MIN, MAX = -0x8000_0000, 0x7FFF_FFFF


class Long(_BoundedInt):
    MIN, MAX = -0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


class Timestamp(_BoundedInt):
    """Milliseconds since the Unix epoch (AMQP timestamp, signed 64 bits)."""

    MIN, MAX = Long.MIN, Long.MAX

    @classmethod
    def from_datetime(cls, moment: _dt.datetime) -> Timestamp:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_dt.UTC)
        delta = moment - _EPOCH
        millis = (delta.days * 86_400_000) + (delta.seconds * 1000) + (delta.microseconds // 1000)
        return cls(millis)  # type: ignore[no-any-return]

    def to_datetime(self) -> _dt.datetime:
        return _EPOCH + _dt.timedelta(milliseconds=int(self))


class Float(float):
    """An IEEE 754 single-precision value (AMQP float); plain ``float`` encodes as double."""

    def __repr__(self) -> str:
        return f"Float({float(self)!r})"


class Symbol(str):
    """An AMQP symbol: ASCII text used for names, keys and conditions."""

    def __repr__(self) -> str:
        return f"Symbol({str(self)!r})"


class Char(str):
    """A single UTF-32 character (AMQP char)."""

    def __new__(cls, value: str) -> Char:
        if len(value) != 1:
            raise ValueError("Char holds exactly one character")
        return super().__new__(cls, value)

    def __repr__(self) -> str:
        return f"Char({str(self)!r})"


class _RawDecimal(bytes):
    """An IEEE 754 decimal kept as its raw big-endian bytes; nothing here does decimal arithmetic."""

    WIDTH = 0

    def __new__(cls, value: bytes) -> Any:
        if len(value) != cls.WIDTH:
            raise ValueError(f"{cls.__name__} needs {cls.WIDTH} bytes")
        return super().__new__(cls, value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({bytes(self)!r})"


class Decimal32(_RawDecimal):
    WIDTH = 4


class Decimal64(_RawDecimal):
    WIDTH = 8


class Decimal128(_RawDecimal):
    WIDTH = 16


@dataclass(frozen=True, slots=True)
class Described:
    """A described value: the descriptor (a ulong code or a symbol) and the underlying value."""

    descriptor: Any
    value: Any


class AmqpType(enum.Enum):
    """Element types of an AMQP array (the array's single element constructor)."""

    NULL = "null"
    BOOLEAN = "boolean"
    UBYTE = "ubyte"
    USHORT = "ushort"
    UINT = "uint"
    ULONG = "ulong"
    BYTE = "byte"
    SHORT = "short"
    INT = "int"
    LONG = "long"
    FLOAT = "float"
    DOUBLE = "double"
    DECIMAL32 = "decimal32"
    DECIMAL64 = "decimal64"
    DECIMAL128 = "decimal128"
    CHAR = "char"
    TIMESTAMP = "timestamp"
    UUID = "uuid"
    BINARY = "binary"
    STRING = "string"
    SYMBOL = "symbol"
    LIST = "list"
    MAP = "map"
    ARRAY = "array"


@dataclass(frozen=True, slots=True)
class Array:
    """An AMQP array: every element has the same type (and, optionally, the same descriptor).

    ``items`` holds the elements' plain values; for an array of described values ``descriptor`` is the
    shared descriptor and ``items`` the underlying values.
    """

    element_type: AmqpType
    items: Sequence[Any] = field(default_factory=tuple)
    descriptor: Any = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Any:
        return self.items[index]


def symbols(*names: str) -> Array:
    """An array of symbols, the shape AMQP uses for capabilities and locales."""
    return Array(AmqpType.SYMBOL, tuple(Symbol(name) for name in names))
