"""Operators on values, with Azure's semantics: C# operator binding and SQL's unknown.

Values are plain Python: ``None`` (NULL, or unknown), ``bool``, ``int`` (Int64), ``float`` (double),
`decimal.Decimal`, ``str``, `uuid.UUID`, `datetime.datetime`, `datetime.timedelta`, ``bytes``.

- Numbers promote as in C#: long with double is double, long with decimal is decimal. (C# refuses
  decimal with double; we compute in double.) Integer arithmetic wraps around like unchecked C#; integer
  division truncates toward zero and ``%`` takes the sign of the dividend; integer or decimal division
  by zero fails (`SqlEvaluationError`), double division by zero gives infinity or NaN.
- ``+`` concatenates two strings; date/time arithmetic is DateTime ± TimeSpan, DateTime - DateTime and
  TimeSpan ± TimeSpan. Any other mix of types has no C# operator: the result is unknown (NULL).
- Comparisons: numbers after promotion; strings ordinally (case-sensitive, by code point); booleans,
  GUIDs and byte arrays for (in)equality only; date/times and time spans fully. Incompatible types
  (``'1' = 1``, ``TRUE = 1``) and any NULL operand compare as unknown.
"""

from __future__ import annotations

import datetime
import functools
import math
import operator
import re
from collections.abc import Callable
from decimal import Decimal, DecimalException
from typing import Any

from servicebus_emulator.sql.errors import SqlEvaluationError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def wrap_int64(value: int) -> int:
    """Two's complement wrap-around, as unchecked C# long arithmetic does."""
    return ((value - INT64_MIN) % 2**64) + INT64_MIN


def is_long(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    return is_long(value) or isinstance(value, float | Decimal)


def _promote(a: object, b: object) -> tuple[Any, Any] | None:
    """The two numbers in their common type, or None if either is not a number."""
    if not (is_number(a) and is_number(b)):
        return None
    if is_long(a) and is_long(b):
        return a, b
    if isinstance(a, float) or isinstance(b, float):
        return float(a), float(b)  # type: ignore[arg-type]
    return Decimal(a), Decimal(b)  # type: ignore[arg-type]


_ORDERED = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def compare(op: str, a: Any, b: Any) -> bool | None:
    """``a op b``: True, False, or None for unknown (a NULL operand, or types C# cannot compare)."""
    if a is None or b is None:
        return None
    promoted = _promote(a, b)
    if promoted is not None:
        a, b = promoted
    elif not _comparable(a, b):
        return None
    try:
        if op == "=":
            return bool(a == b)
        if op in ("<>", "!="):
            return bool(a != b)
        if not _orderable(a):
            return None
        return bool(_ORDERED[op](a, b))
    except TypeError:
        # e.g. a naive and an aware datetime
        return None


def _comparable(a: object, b: object) -> bool:
    for kind in (bool, str, bytes, datetime.datetime, datetime.timedelta):
        if isinstance(a, kind) or isinstance(b, kind):
            return isinstance(a, kind) and isinstance(b, kind)
    return type(a) is type(b)


def _orderable(value: object) -> bool:
    return is_number(value) or isinstance(value, str | datetime.datetime | datetime.timedelta)


def negate(op: str, value: object) -> object:
    """Unary ``+`` or ``-``; unknown for anything but numbers and time spans."""
    if not (is_number(value) or isinstance(value, datetime.timedelta)):
        return None
    if op == "+":
        return value
    if is_long(value):
        return wrap_int64(-value)  # type: ignore[operator]
    try:
        return -value  # type: ignore[operator]
    except OverflowError:
        raise SqlEvaluationError("time span overflow") from None


def arithmetic(op: str, a: object, b: object) -> object:
    """``a op b`` for ``+ - * / %``; None when either side is unknown or no C# operator applies."""
    if a is None or b is None:
        return None
    promoted = _promote(a, b)
    if promoted is None:
        return _non_numeric(op, a, b)
    x, y = promoted
    if isinstance(x, int):
        return _long(op, x, y)
    if isinstance(x, float):
        return _double(op, x, y)
    return _decimal(op, x, y)


def _long(op: str, x: int, y: int) -> int:
    if op in ("/", "%"):
        if y == 0:
            raise SqlEvaluationError("integer division by zero")
        if x == INT64_MIN and y == -1:
            raise SqlEvaluationError("integer overflow in division")
        quotient = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
        return quotient if op == "/" else x - y * quotient
    results: dict[str, Callable[[int, int], int]] = {
        "+": operator.add,
        "-": operator.sub,
        "*": operator.mul,
    }
    return wrap_int64(results[op](x, y))


def _double(op: str, x: float, y: float) -> float:
    if op == "/":
        if y == 0:
            if x == 0 or math.isnan(x):
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1.0, y)
        return x / y
    if op == "%":
        if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
            return math.nan
        return math.fmod(x, y)
    results: dict[str, Callable[[float, float], float]] = {
        "+": operator.add,
        "-": operator.sub,
        "*": operator.mul,
    }
    return results[op](x, y)  # overflow gives infinity, as in C#


def _decimal(op: str, x: Decimal, y: Decimal) -> Decimal:
    if op in ("/", "%") and y == 0:
        raise SqlEvaluationError("decimal division by zero")
    try:
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "/":
            return x / y
        return x % y  # Decimal's % takes the sign of the dividend, as C# does
    except DecimalException as error:
        raise SqlEvaluationError(f"decimal arithmetic failed: {error.__class__.__name__}") from None


def _non_numeric(op: str, a: object, b: object) -> object:
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    try:
        if op == "+":
            if isinstance(a, datetime.datetime) and isinstance(b, datetime.timedelta):
                return a + b
            if isinstance(a, datetime.timedelta) and isinstance(b, datetime.datetime):
                return b + a
            if isinstance(a, datetime.timedelta) and isinstance(b, datetime.timedelta):
                return a + b
        if op == "-":
            if isinstance(a, datetime.datetime) and isinstance(b, datetime.timedelta):
                return a - b
            if isinstance(a, datetime.datetime) and isinstance(b, datetime.datetime):
                return a - b
            if isinstance(a, datetime.timedelta) and isinstance(b, datetime.timedelta):
                return a - b
    except OverflowError:
        raise SqlEvaluationError("date/time arithmetic out of range") from None
    except TypeError:
        return None  # a naive and an aware datetime
    return None


@functools.lru_cache(maxsize=256)
def like_regex(pattern: str, escape: str | None) -> re.Pattern[str]:
    """The regular expression for a LIKE pattern: ``%`` any run, ``_`` one character, ``escape`` quotes.

    Raises ValueError when the pattern ends with the escape character (nothing to quote).
    """
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if escape is not None and char == escape:
            if i + 1 == len(pattern):
                raise ValueError("the LIKE pattern ends with its escape character")
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def like(value: object, pattern: object, escape: object = None, *, has_escape: bool = False) -> bool | None:
    """``value LIKE pattern [ESCAPE escape]``: unknown if any operand is NULL or not a string."""
    if value is None or pattern is None or (has_escape and escape is None):
        return None
    if has_escape and not (isinstance(escape, str) and len(escape) == 1):
        raise SqlEvaluationError("ESCAPE must be a string of one character")
    if not (isinstance(value, str) and isinstance(pattern, str)):
        return None
    try:
        regex = like_regex(pattern, escape if isinstance(escape, str) else None)
    except ValueError as error:
        raise SqlEvaluationError(str(error)) from None
    return regex.fullmatch(value) is not None
