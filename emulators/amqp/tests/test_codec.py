"""Round trips and exact encodings of every AMQP type, plus malformed input."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import uuid
from typing import Any

import pytest
from amqp_core.codec import DecodeError, decode, decode_value, encode
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
from hypothesis import given
from hypothesis import strategies as st


def same(a: Any, b: Any) -> bool:
    """Equal in value AND in AMQP type, recursively."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(
            same(a[k], b[k]) and type(k) is type(kb) for k, kb in zip(a, b, strict=True)
        )
    if isinstance(a, Array):
        return (
            a.element_type == b.element_type
            and same(list(a.items), list(b.items))
            and same(a.descriptor, b.descriptor)
        )
    if isinstance(a, Described):
        return same(a.descriptor, b.descriptor) and same(a.value, b.value)
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


EXACT = [
    (None, "40"),
    (True, "41"),
    (False, "42"),
    (UByte(7), "5007"),
    (UShort(0x1234), "601234"),
    (UInt(0), "43"),
    (UInt(200), "52c8"),
    (UInt(70000), "7000011170"),
    (ULong(0), "44"),
    (ULong(0x53), "5353"),
    (ULong(1 << 40), "800000010000000000"),
    (Byte(-1), "51ff"),
    (Short(-2), "61fffe"),
    (Int(-3), "54fd"),
    (Int(1000), "71000003e8"),
    (Long(5), "5505"),
    (Long(-(1 << 40)), "81ffffff0000000000"),
    (Float(1.5), "723fc00000"),
    (2.5, "824004000000000000"),
    (Decimal32(b"\x01\x02\x03\x04"), "7401020304"),
    (Decimal64(bytes(range(8))), "840001020304050607"),
    (Decimal128(bytes(range(16))), "94000102030405060708090a0b0c0d0e0f"),
    (Char("A"), "7300000041"),
    (Timestamp(1), "830000000000000001"),
    (uuid.UUID(int=1), "9800000000000000000000000000000001"),
    (b"ab", "a0026162"),
    (b"x" * 256, "b000000100" + "78" * 256),
    ("é", "a102c3a9"),
    ("s" * 256, "b100000100" + "73" * 256),
    (Symbol("amqp"), "a304616d7170"),
    (Symbol("k" * 300), "b30000012c" + "6b" * 300),
    ([], "45"),
    ([UInt(1)], "c003015201"),
    ({Symbol("a"): None}, "c10502a3016140"),
    (Described(ULong(0x24), []), "00532445"),
    (Array(AmqpType.SYMBOL, (Symbol("a"), Symbol("b"))), "e00602a301610162"),
]


@pytest.mark.parametrize(("value", "hexed"), EXACT, ids=[h[:12] for _, h in EXACT])
def test_encode_uses_the_compact_constructor_and_decodes_back(value: Any, hexed: str) -> None:
    assert encode(value).hex() == hexed
    assert same(decode(bytes.fromhex(hexed)), value)


def test_wide_list_and_map_forms_round_trip() -> None:
    items = [Long(i) for i in range(300)]
    raw = encode(items)
    assert raw[0] == 0xD0
    assert same(decode(raw), items)
    mapping = {f"k{i}": "v" * 10 for i in range(40)}
    raw = encode(mapping)
    assert raw[0] == 0xD1
    assert same(decode(raw), mapping)


def test_wide_array_of_strings_round_trips() -> None:
    array = Array(AmqpType.STRING, ("x" * 300, "y"))
    raw = encode(array)
    assert raw[0] == 0xF0
    assert same(decode(raw), array)


def test_array_of_described_values_round_trips() -> None:
    array = Array(AmqpType.LIST, ([UInt(1)], [UInt(2), None]), descriptor=ULong(0x24))
    assert same(decode(encode(array)), array)


def test_arrays_of_every_fixed_type_round_trip() -> None:
    samples = {
        AmqpType.NULL: (None, None),
        AmqpType.BOOLEAN: (True, False),
        AmqpType.UBYTE: (UByte(1),),
        AmqpType.USHORT: (UShort(2),),
        AmqpType.UINT: (UInt(3), UInt(0)),
        AmqpType.ULONG: (ULong(4),),
        AmqpType.BYTE: (Byte(-5),),
        AmqpType.SHORT: (Short(-6),),
        AmqpType.INT: (Int(-7),),
        AmqpType.LONG: (Long(-8),),
        AmqpType.FLOAT: (Float(0.5),),
        AmqpType.DOUBLE: (0.25,),
        AmqpType.DECIMAL32: (Decimal32(b"abcd"),),
        AmqpType.DECIMAL64: (Decimal64(b"abcdefgh"),),
        AmqpType.DECIMAL128: (Decimal128(b"a" * 16),),
        AmqpType.CHAR: (Char("z"),),
        AmqpType.TIMESTAMP: (Timestamp(99),),
        AmqpType.UUID: (uuid.UUID(int=5),),
        AmqpType.BINARY: (b"", b"x"),
        AmqpType.MAP: ({"a": Long(1)},),
        AmqpType.ARRAY: (Array(AmqpType.INT, (Int(1),)),),
    }
    for element_type, items in samples.items():
        array = Array(element_type, items)
        assert same(decode(encode(array)), array), element_type


def test_zero_width_array_elements_decode() -> None:
    # An array of three uint0 (0x43) elements: size 2, count 3, constructor, no bodies.
    assert same(decode(bytes.fromhex("e0020343")), Array(AmqpType.UINT, (UInt(0),) * 3))
    assert same(decode(bytes.fromhex("e0020241")), Array(AmqpType.BOOLEAN, (True, True)))


def test_symbolic_descriptor_round_trips() -> None:
    value = Described(Symbol("com.microsoft:thing"), {"a": Long(1)})
    assert same(decode(encode(value)), value)


def test_datetime_encodes_as_timestamp() -> None:
    moment = dt.datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=dt.UTC)
    decoded = decode(encode(moment))
    assert isinstance(decoded, Timestamp)
    assert decoded.to_datetime() == moment


def test_wrappers_refuse_out_of_range_values() -> None:
    with pytest.raises(ValueError, match="UByte"):
        UByte(256)
    with pytest.raises(ValueError, match="Int"):
        Int(1 << 31)
    with pytest.raises(ValueError, match="ULong"):
        encode(1 << 64)


def test_symbols_compare_equal_to_plain_strings() -> None:
    decoded = decode(encode({Symbol("x-opt-sequence-number"): Long(3)}))
    assert decoded["x-opt-sequence-number"] == 3


@pytest.mark.parametrize(
    "hexed",
    [
        "",  # nothing at all
        "ff",  # invalid constructor
        "71000001",  # truncated int
        "a105616263",  # string shorter than its length
        "c0050201",  # list size beyond the buffer
        "c1030141",  # map with an odd count
        "e00301ff00",  # array with an invalid element constructor
        "a102c3",  # truncated utf-8
        "a102fffe",  # invalid utf-8
        "5602",  # boolean byte neither 0 nor 1
        "f0ffffffff00000001",  # array32 size beyond the buffer
    ],
)
def test_malformed_input_raises_decode_error(hexed: str) -> None:
    with pytest.raises(DecodeError):
        decode(bytes.fromhex(hexed))


def test_zero_width_array_count_is_capped() -> None:
    with pytest.raises(DecodeError, match="zero-width"):
        decode(bytes.fromhex("f000000005ffffffff40"))


def test_deep_nesting_is_refused() -> None:
    assert decode(encode([[[[[]]]]])) == [[[[[]]]]]
    nested: Any = []
    for _ in range(100):
        nested = [nested]
    with pytest.raises(DecodeError, match="deeply"):
        decode(encode(nested))


def test_decode_value_reports_the_end_offset() -> None:
    raw = encode(UInt(300)) + encode("x")
    value, end = decode_value(raw)
    assert value == 300
    assert decode_value(raw, end)[0] == "x"


def test_trailing_bytes_are_refused_by_decode() -> None:
    with pytest.raises(DecodeError, match="left after"):
        decode(b"\x40\x40")


# ------------------------------------------------------------------------------------ property tests

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(0, 0xFF).map(UByte),
    st.integers(0, 0xFFFF).map(UShort),
    st.integers(0, 0xFFFF_FFFF).map(UInt),
    st.integers(0, 2**64 - 1).map(ULong),
    st.integers(-128, 127).map(Byte),
    st.integers(-(2**15), 2**15 - 1).map(Short),
    st.integers(-(2**31), 2**31 - 1).map(Int),
    st.integers(-(2**63), 2**63 - 1).map(Long),
    st.floats(width=32, allow_nan=False).map(Float),
    st.floats(allow_nan=False),
    st.binary(min_size=4, max_size=4).map(Decimal32),
    st.binary(min_size=8, max_size=8).map(Decimal64),
    st.binary(min_size=16, max_size=16).map(Decimal128),
    st.characters().map(Char),
    st.integers(-(2**63), 2**63 - 1).map(Timestamp),
    st.uuids(),
    st.binary(max_size=300),
    st.text(max_size=300),
    st.text(alphabet=st.characters(max_codepoint=127), max_size=300).map(Symbol),
)
_keys = st.one_of(
    st.text(max_size=20),
    st.text(alphabet="abcxyz-:", max_size=20).map(Symbol),
    st.integers(0, 2**63 - 1).map(ULong),
)
_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=8),
        st.dictionaries(_keys, children, max_size=8),
        st.builds(Described, st.integers(0, 2**64 - 1).map(ULong), children),
        st.lists(st.integers(-(2**31), 2**31 - 1).map(Int), max_size=8).map(
            lambda items: Array(AmqpType.INT, items)
        ),
        st.lists(st.text(max_size=300), max_size=4).map(lambda items: Array(AmqpType.STRING, items)),
    ),
    max_leaves=30,
)


@given(_values)
def test_any_value_round_trips_with_its_type(value: Any) -> None:
    raw = encode(value)
    assert same(decode(raw), value)
    assert encode(decode(raw)) == raw


@given(st.binary(max_size=64))
def test_random_bytes_never_raise_anything_but_decode_error(raw: bytes) -> None:
    with contextlib.suppress(DecodeError):
        decode(raw)
