"""Hostile nesting is a syntax error, not a RecursionError (found by emulators/fuzz, target ``sql``).

The fuzzer's input was ``.5%5 % 2 = `` followed by a hundred ``+`` signs: each sign recursed once more
in the parser until Python's stack ran out.
"""

from __future__ import annotations

import pytest
from servicebus_emulator.sql import SqlSyntaxError, parse_action, parse_filter
from servicebus_emulator.sql.parser import MAX_DEPTH
from servicebus_emulator.sql.render import render

from .conftest import broker_message

FUZZER_INPUT = ".5%5 % 2 = " + "+" * 110 + "1"
TOO_DEEP = "nested too deeply|levels deep"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (FUZZER_INPUT, TOO_DEEP),
        ("(" * 500 + "a = 1" + ")" * 500, TOO_DEEP),
        ("NOT " * 300 + "a = 1", TOO_DEEP),
        ("a = " + "p(" * 200 + "'b'" + ")" * 200, TOO_DEEP),
        ("a = " + " + ".join(["1"] * 500), TOO_DEEP),
        (" AND ".join(["a = 1"] * 300), TOO_DEEP),
        (" OR ".join(["a = 1"] * 300), TOO_DEEP),
        ("a IN (" + ", ".join(["-" * 70 + "b"] * 3) + ")", TOO_DEEP),
    ],
)
def test_deep_filters_are_syntax_errors_with_a_column(text: str, message: str) -> None:
    with pytest.raises(SqlSyntaxError, match=message) as raised:
        parse_filter(text)
    assert 1 <= raised.value.position <= len(text)


def test_deep_actions_are_syntax_errors() -> None:
    with pytest.raises(SqlSyntaxError, match=TOO_DEEP):
        parse_action("SET a = " + "-" * 200 + "b")


def test_filters_at_the_limits_parse_evaluate_and_render() -> None:
    # Leaves count as one level: a comparison of two leaves is two deep, under 62 NOTs it is 64.
    negations = MAX_DEPTH - 2
    nested = "(" * MAX_DEPTH + "NOT " * negations + "a = 1" + ")" * MAX_DEPTH
    chained = "a = " + " + ".join(["1"] * (MAX_DEPTH - 1))  # 62 additions under the comparison
    message = broker_message(application_properties={"a": MAX_DEPTH - 1})
    with pytest.raises(SqlSyntaxError, match=TOO_DEEP):
        parse_filter("NOT " + nested)
    for text in (nested, chained):
        parsed = parse_filter(text)
        assert parse_filter(render(parsed.predicate)).predicate == parsed.predicate
    assert parse_filter(chained).evaluate(message) is True
    expected = negations % 2 == 0
    assert parse_filter(nested).evaluate(broker_message(application_properties={"a": 1})) is expected
