from __future__ import annotations

import datetime
import math
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from servicebus_emulator.sql.errors import SqlEvaluationError

Sql = Callable[..., bool | None]

T, F, U = True, False, None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 = 1", T),
        ("1 = 0", F),
        ("1 <> 2", T),
        ("1 != 1", F),
        ("2 > 1", T),
        ("2 >= 2", T),
        ("1 < 1", F),
        ("1 <= 1", T),
        ("'b' > 'a'", T),
        ("'B' < 'a'", T),
        ("'abc' = 'ABC'", F),
        ("TRUE = TRUE", T),
        ("TRUE <> FALSE", T),
        ("TRUE > FALSE", U),
        ("'1' = 1", U),
        ("TRUE = 1", U),
        ("NULL = NULL", U),
        ("1 = NULL", U),
    ],
)
def test_comparisons_follow_csharp_binding_and_are_unknown_for_null_or_mixed_types(
    sql: Sql, text: str, expected: bool | None
) -> None:
    assert sql(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 = 1.0", T),
        ("2 > 1.5", T),
        ("0.1 + 0.2 = 0.30000000000000004", T),
        ("7 / 2 = 3", T),
        ("-7 / 2 = -3", T),
        ("-7 % 3 = -1", T),
        ("7 % -3 = 1", T),
        ("7 / 2.0 = 3.5", T),
        ("5.5 % 2 = 1.5", T),
        ("2 * 3 + 4 = 10", T),
        ("2 * (3 + 4) = 14", T),
        ("-(2) = -2", T),
        ("+2 = 2", T),
        ("9223372036854775807 + 1 = -9223372036854775808", T),
        ("-9223372036854775808 - 1 = 9223372036854775807", T),
        ("-(-9223372036854775808) = -9223372036854775808", T),
        ("'ab' + 'cd' = 'abcd'", T),
        ("'ab' + 1 = 'ab1'", U),
        ("TRUE + 1 = 2", U),
        ("-'a' = 'a'", U),
        ("1 + NULL = 1", U),
        ("missing + 1 = 1", U),
    ],
)
def test_arithmetic_promotes_numbers_wraps_longs_and_is_unknown_otherwise(
    sql: Sql, text: str, expected: bool | None
) -> None:
    assert sql(text) is expected


def test_double_division_by_zero_gives_infinity_and_nan(sql: Sql) -> None:
    assert sql("x = 1.0 / 0", x=math.inf) is True
    assert sql("x = -1 / 0.0", x=-math.inf) is True
    assert sql("0.0 / 0 = 0.0 / 0") is False  # NaN equals nothing
    assert sql("0.0 / 0 <> 0.0 / 0") is True
    assert sql("1.5 % 0 = 1.5 % 0") is False


@pytest.mark.parametrize("text", ["1 / 0 = 1", "1 % 0 = 1", "-9223372036854775808 / -1 = 1", "d / 0 = 1"])
def test_integer_and_decimal_division_by_zero_fail(sql: Sql, text: str) -> None:
    with pytest.raises(SqlEvaluationError):
        sql(text, d=Decimal(1))


def test_decimal_properties_promote_with_longs_and_doubles(sql: Sql) -> None:
    assert sql("d + 1 = 2.5", d=Decimal("1.5")) is True
    assert sql("d * 2 > 2.9", d=Decimal("1.5")) is True
    assert sql("d % 1 = 0.5", d=Decimal("1.5")) is True


def test_date_times_and_time_spans_compare_and_add(sql: Sql) -> None:
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    later = start + datetime.timedelta(hours=1)
    assert sql("t < u", t=start, u=later) is True
    assert sql("u - t = sys.TimeToLive", t=start, u=later) is True
    assert sql("t + sys.TimeToLive = u", t=start, u=later) is True
    assert sql("-(sys.TimeToLive) < sys.TimeToLive") is True
    assert sql("t = 1", t=start) is None
    assert sql("t < u", t=start, u=start.replace(tzinfo=None)) is None


def test_guids_and_bytes_compare_for_equality_only(sql: Sql) -> None:
    token = uuid.uuid4()
    assert sql("g = h", g=token, h=token) is True
    assert sql("g < h", g=token, h=token) is None
    assert sql("g = 'x'", g=token) is None
    assert sql("b = c", b=b"\x01", c=b"\x01") is True
    assert sql("b > c", b=b"\x01", c=b"\x00") is None


@pytest.mark.parametrize(
    ("left", "right", "and_", "or_"),
    [
        ("1=1", "1=1", T, T),
        ("1=1", "1=0", F, T),
        ("1=1", "x=1", U, T),
        ("1=0", "1=1", F, T),
        ("1=0", "1=0", F, F),
        ("1=0", "x=1", F, U),
        ("x=1", "1=1", U, T),
        ("x=1", "1=0", F, U),
        ("x=1", "x=1", U, U),
    ],
)
def test_and_or_follow_the_documented_truth_tables(
    sql: Sql, left: str, right: str, and_: bool | None, or_: bool | None
) -> None:
    assert sql(f"{left} AND {right}") is and_
    assert sql(f"{left} OR {right}") is or_


def test_not_keeps_unknown_unknown(sql: Sql) -> None:
    assert sql("NOT 1 = 1") is False
    assert sql("NOT 1 = 0") is True
    assert sql("NOT x = 1") is None


def test_and_and_or_stop_before_a_failing_right_side(sql: Sql) -> None:
    assert sql("1 = 0 AND 1 / 0 = 1") is False
    assert sql("1 = 1 OR 1 / 0 = 1") is True
    with pytest.raises(SqlEvaluationError):
        sql("1 = 1 AND 1 / 0 = 1")


def test_missing_property_is_null_but_does_not_exist(sql: Sql) -> None:
    assert sql("a IS NULL") is True
    assert sql("a IS NOT NULL") is False
    assert sql("EXISTS(a)") is False
    assert sql("a = 1") is None


def test_property_set_to_null_exists_and_is_null(sql: Sql) -> None:
    assert sql("EXISTS(a)", a=None) is True
    assert sql("a IS NULL", a=None) is True
    assert sql("a IS NOT NULL", a=0) is True


def test_property_names_are_case_insensitive_preferring_an_exact_match(sql: Sql) -> None:
    assert sql("COLOR = 'red'", color="red") is True
    assert sql("[Color] = 'red'", color="blue", Color="red") is True
    assert sql("EXISTS(Color)", color="x") is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a IN (1, 2, 3)", T),
        ("a IN (4, 5)", F),
        ("a NOT IN (4, 5)", T),
        ("a NOT IN (1, 5)", F),
        ("a IN (1.0)", T),
        ("a IN ('1')", F),
        ("a IN (NULL, 1)", T),
        ("a IN (NULL)", F),
        ("a NOT IN (NULL)", T),
        ("missing IN (1)", U),
        ("missing NOT IN (1)", U),
        ("a + 1 IN (b)", T),
    ],
)
def test_in_matches_any_equal_item_and_is_unknown_only_for_an_unknown_left_side(
    sql: Sql, text: str, expected: bool | None
) -> None:
    assert sql(text, a=1, b=2) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("s LIKE 'ABC%'", T),
        ("s LIKE 'abc%'", F),
        ("s LIKE '%DEF'", T),
        ("s LIKE '%C_E%'", T),
        ("s LIKE 'ABC'", F),
        ("s LIKE '______'", T),
        ("s LIKE '_____'", F),
        ("s LIKE '%'", T),
        ("s NOT LIKE 'X%'", T),
        ("s LIKE 'A.C%'", F),
        ("s LIKE '[A]%'", F),
        ("p LIKE 'ABC\\%' ESCAPE '\\'", T),
        ("s LIKE 'ABC\\%' ESCAPE '\\'", F),
        ("p LIKE 'ABC!%' ESCAPE '!'", T),
        ("u LIKE 'a!_b' ESCAPE '!'", T),
        ("s LIKE 'ABC!_EF' ESCAPE '!'", F),
        ("n LIKE '1%'", U),
        ("n NOT LIKE '1%'", U),
        ("missing LIKE '%'", U),
        ("s LIKE NULL", U),
        ("s LIKE pattern", T),
        ("s LIKE 'ABC%' ESCAPE NULL", U),
        ("m LIKE 'a%c'", T),
    ],
)
def test_like_matches_percent_and_underscore_case_sensitively_with_escape(
    sql: Sql, text: str, expected: bool | None
) -> None:
    result = sql(text, s="ABCDEF", p="ABC%", u="a_b", n=123, pattern="A%F", m="a\nb\nc")
    assert result is expected


def test_like_with_a_computed_escape_of_several_characters_fails(sql: Sql) -> None:
    with pytest.raises(SqlEvaluationError, match="ESCAPE must be a string of one character"):
        sql("s LIKE 'x' ESCAPE e", s="x", e="ab")
    with pytest.raises(SqlEvaluationError, match="ends with its escape character"):
        sql("s LIKE p ESCAPE '!'", s="x", p="x!")


def test_property_function_reads_user_and_system_properties_by_computed_name(sql: Sql) -> None:
    assert sql("property('colour') = 'red'", colour="red") is True
    assert sql("p('user.' + 'colour') = 'red'", colour="red") is True
    assert sql("p('sys.Label') = 'PaymentSucceeded'") is True
    assert sql("p(name) = 'red'", name="colour", colour="red") is True
    assert sql("p(1) = 1") is None
    with pytest.raises(SqlEvaluationError, match="unknown system property 'Nope'"):
        sql("p('sys.Nope') = 1")


def test_newid_returns_a_fresh_guid_each_time(sql: Sql) -> None:
    assert sql("newid() = newid()") is False
    assert sql("newid() <> newid()") is True
