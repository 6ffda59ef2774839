"""Property-based tests over generated syntax trees and property dictionaries.

Round trip: a generated tree, rendered to SQL text, parses back to the same tree. Agreement: the
evaluator gives the same three-valued answer (or the same failure) as `reference`, a direct reading of
Azure's documented rules written separately here over the generated tree.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from servicebus_emulator.model import IncomingMessage
from servicebus_emulator.sql.errors import SqlEvaluationError
from servicebus_emulator.sql.evaluator import Properties, evaluate, evaluate_predicate
from servicebus_emulator.sql.nodes import (
    And,
    Binary,
    Comparison,
    Constant,
    Exists,
    In,
    IsNull,
    Like,
    Not,
    Or,
    Property,
    Remove,
    Scope,
    Set,
    Unary,
)
from servicebus_emulator.sql.parser import parse_predicate, parse_statements
from servicebus_emulator.sql.render import render, render_statements
from servicebus_emulator.sql.rules import parse_filter
from servicebus_emulator.sql.values import like

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
NAMES = ("a", "b", "Weird name", "it's]")
MODEST = settings(max_examples=150, deadline=None)

longs = st.one_of(st.integers(-6, 6), st.sampled_from([INT64_MIN, INT64_MAX, INT64_MIN + 1]))
doubles = st.one_of(
    st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.5]), st.floats(allow_nan=False, allow_infinity=False)
)
strings = st.text(alphabet="ab%_!'", max_size=4)
scalars = st.one_of(st.none(), st.booleans(), longs, doubles, strings)

properties = st.builds(lambda name: Property(Scope.USER, name), st.sampled_from(NAMES))
constants = st.builds(Constant, scalars)
expressions = st.recursive(
    st.one_of(constants, properties),
    lambda inner: st.one_of(
        st.builds(Unary, st.sampled_from(["+", "-"]), inner),
        st.builds(Binary, st.sampled_from(["+", "-", "*", "/", "%"]), inner, inner),
    ),
    max_leaves=6,
)
escaped_patterns = st.lists(st.sampled_from(["a", "b", "%", "_", "!%", "!_", "!!", "'"]), max_size=4).map(
    "".join
)
likes = st.one_of(
    st.builds(
        Like,
        expressions,
        st.one_of(st.builds(Constant, st.text(alphabet="ab%_!'", max_size=4)), properties),
        st.none(),
        st.booleans(),
    ),
    st.builds(
        Like,
        expressions,
        st.one_of(st.builds(Constant, escaped_patterns), properties),
        st.just(Constant("!")),
        st.booleans(),
    ),
)
comparisons = st.builds(
    Comparison, st.sampled_from(["=", "<>", "!=", ">", ">=", "<", "<="]), expressions, expressions
)
predicates = st.recursive(
    st.one_of(
        comparisons,
        st.builds(IsNull, properties, st.booleans()),
        st.builds(In, expressions, st.lists(expressions, min_size=1, max_size=3).map(tuple), st.booleans()),
        likes,
        st.builds(Exists, properties),
    ),
    lambda inner: st.one_of(st.builds(Not, inner), st.builds(And, inner, inner), st.builds(Or, inner, inner)),
    max_leaves=5,
)
property_values = st.dictionaries(st.sampled_from(NAMES), scalars, max_size=len(NAMES))


@MODEST
@given(predicates)
def test_rendered_predicate_parses_back_to_the_same_tree(tree: Any) -> None:
    assert parse_predicate(render(tree)) == tree


@MODEST
@given(
    st.lists(
        st.one_of(st.builds(Set, properties, expressions), st.builds(Remove, properties)),
        min_size=1,
        max_size=3,
    ).map(tuple)
)
def test_rendered_statements_parse_back_to_the_same_statements(statements: Any) -> None:
    assert parse_statements(render_statements(statements)) == statements


@MODEST
@given(predicates, property_values)
def test_evaluator_agrees_with_the_reference_reading_of_the_documentation(
    tree: Any, values: dict[str, Any]
) -> None:
    try:
        expected = reference(tree, values)
    except AzureThrowsError:
        expected = "failure"
    try:
        actual: object = evaluate_predicate(tree, Properties(values, _no_system))
    except SqlEvaluationError:
        actual = "failure"
    assert actual is expected or (actual == expected and type(actual) is type(expected))
    if expected != "failure":
        assert parse_filter(render(tree)).evaluate(_message(values)) is expected


@MODEST
@given(expressions, property_values)
def test_expression_values_agree_with_the_reference(tree: Any, values: dict[str, Any]) -> None:
    try:
        expected = _value(tree, values)
    except AzureThrowsError:
        expected = "failure"
    try:
        actual = evaluate(tree, Properties(values, _no_system))
    except SqlEvaluationError:
        actual = "failure"
    assert type(actual) is type(expected)
    assert actual == expected or (isinstance(actual, float) and math.isnan(actual) and math.isnan(expected))


@MODEST
@given(
    st.text(alphabet="ab%_!", max_size=6),
    st.text(alphabet="ab%_!", max_size=6),
    st.sampled_from([None, "!", "%", "a"]),
)
def test_like_agrees_with_a_backtracking_matcher(text: str, pattern: str, escape: str | None) -> None:
    try:
        expected: object = _like(text, pattern, escape)
    except AzureThrowsError:
        expected = "failure"
    try:
        actual: object = like(text, pattern, escape, has_escape=escape is not None)
    except SqlEvaluationError:
        actual = "failure"
    assert actual == expected


def _no_system(name: str) -> object:
    raise AssertionError("the generated trees use user properties only")


def _message(values: dict[str, Any]) -> IncomingMessage:
    return IncomingMessage(encoded=b"", application_properties=values)


# ---------------------------------------------------------------------------------------------- reference


class AzureThrowsError(Exception):
    """Where Azure's filter throws (integer division by zero, long.MinValue / -1)."""


T, F, U = "T", "F", "U"
AND_TABLE = {
    (T, T): T,
    (T, F): F,
    (T, U): U,
    (F, T): F,
    (F, F): F,
    (F, U): F,
    (U, T): U,
    (U, F): F,
    (U, U): U,
}
OR_TABLE = {(T, T): T, (T, F): T, (T, U): T, (F, T): T, (F, F): F, (F, U): U, (U, T): T, (U, F): U, (U, U): U}
TO_BOOL = {T: True, F: False, U: None}


def reference(tree: Any, values: dict[str, Any]) -> bool | None:
    return TO_BOOL[_truth(tree, values)]


def _known(flag: bool) -> str:
    return T if flag else F


def _truth(node: Any, values: dict[str, Any]) -> str:
    if isinstance(node, Not):
        return {T: F, F: T, U: U}[_truth(node.operand, values)]
    if isinstance(node, And):
        left = _truth(node.left, values)
        return F if left == F else AND_TABLE[left, _truth(node.right, values)]
    if isinstance(node, Or):
        left = _truth(node.left, values)
        return T if left == T else OR_TABLE[left, _truth(node.right, values)]
    if isinstance(node, IsNull):
        return _known((values.get(node.property.name) is None) != node.negated)
    if isinstance(node, Exists):
        return _known(node.property.name in values)
    if isinstance(node, Comparison):
        return _compare(node.operator, _value(node.left, values), _value(node.right, values))
    if isinstance(node, In):
        left = _value(node.operand, values)
        if left is None:
            return U
        found = False
        for item in node.items:
            if _compare("=", left, _value(item, values)) == T:
                found = True
                break
        return _known(found != node.negated)
    assert isinstance(node, Like)
    subject, pattern = _value(node.operand, values), _value(node.pattern, values)
    escape = None if node.escape is None else _value(node.escape, values)
    if not isinstance(subject, str) or not isinstance(pattern, str):
        return U
    matched = _like(subject, pattern, escape)
    return _known(matched != node.negated)


def _is_long(value: Any) -> bool:
    return type(value) is int


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _compare(operator: str, left: Any, right: Any) -> str:
    if left is None or right is None:
        return U
    if _is_number(left) and _is_number(right):
        if not (_is_long(left) and _is_long(right)):
            left, right = float(left), float(right)
    elif type(left) is not type(right) or (type(left) is bool and operator not in ("=", "<>", "!=")):
        return U
    outcome = {
        "=": left == right,
        "<>": left != right,
        "!=": left != right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[operator]
    return _known(outcome)


def _wrap(value: int) -> int:
    """Keep the low 64 bits, as a two's complement number."""
    low = value & (2**64 - 1)
    return low - 2**64 if low >= 2**63 else low


def _value(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, Constant):
        return node.value
    if isinstance(node, Property):
        return values.get(node.name)
    if isinstance(node, Unary):
        operand = _value(node.operand, values)
        if not _is_number(operand):
            return None
        if node.operator == "+":
            return operand
        return _wrap(-operand) if _is_long(operand) else -operand
    left, right = _value(node.left, values), _value(node.right, values)
    if left is None or right is None:
        return None
    if node.operator == "+" and type(left) is str and type(right) is str:
        return left + right
    if not (_is_number(left) and _is_number(right)):
        return None
    if _is_long(left) and _is_long(right):
        return _long_arithmetic(node.operator, left, right)
    return _double_arithmetic(node.operator, float(left), float(right))


def _long_arithmetic(operator: str, left: int, right: int) -> int:
    if operator in ("/", "%"):
        if right == 0 or (left == INT64_MIN and right == -1):
            raise AzureThrowsError
        quotient = int(abs(left) // abs(right))
        if (left < 0) != (right < 0):
            quotient = -quotient
        return quotient if operator == "/" else left - quotient * right
    if operator == "+":
        return _wrap(left + right)
    if operator == "-":
        return _wrap(left - right)
    return _wrap(left * right)


def _double_arithmetic(operator: str, left: float, right: float) -> float:
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if right == 0:
        if operator == "%" or left == 0 or math.isnan(left):
            return math.nan
        return math.inf if (left > 0) == (math.copysign(1, right) > 0) else -math.inf
    if operator == "/":
        return left / right
    if math.isinf(left) or math.isnan(left) or math.isnan(right):
        return math.nan
    return math.fmod(left, right)


def _like(text: str, pattern: str, escape: str | None) -> bool:
    """A pattern ending in an unpaired escape character is an error, whatever the text."""
    i = 0
    while i < len(pattern):
        if pattern[i] == escape:
            if i + 1 == len(pattern):
                raise AzureThrowsError
            i += 1
        i += 1
    return _match(text, pattern, escape)


def _match(text: str, pattern: str, escape: str | None) -> bool:
    """Backtracking LIKE: % any run, _ one character, escape quotes the next pattern character."""
    if not pattern:
        return not text
    head = pattern[0]
    if escape is not None and head == escape:
        return bool(text) and text[0] == pattern[1] and _match(text[1:], pattern[2:], escape)
    if head == "%":
        return any(_match(text[i:], pattern[1:], escape) for i in range(len(text) + 1))
    if head == "_":
        return bool(text) and _match(text[1:], pattern[1:], escape)
    return bool(text) and text[0] == head and _match(text[1:], pattern[1:], escape)
