"""Subscription rules: which messages sent to a topic a subscription gets.

A `Filter` decides on one message: `TrueFilter` (the ``$Default`` rule), `CorrelationFilter`, and
`servicebus_emulator.sql.SqlFilter`. A rule may carry a SQL action (`servicebus_emulator.sql.SqlRuleAction`);
`servicebus_emulator.routing` decides which copies a subscription gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from servicebus_emulator.message_fields import MessageView
from servicebus_emulator.sql.rules import SqlRuleAction

__all__ = [
    "DEFAULT_RULE",
    "DEFAULT_RULE_NAME",
    "CorrelationFilter",
    "Filter",
    "MessageView",
    "Rule",
    "TrueFilter",
    "any_rule_matches",
]

DEFAULT_RULE_NAME = "$Default"


class Filter(Protocol):
    def matches(self, message: MessageView) -> bool: ...


@dataclass(frozen=True, slots=True)
class TrueFilter:
    def matches(self, message: MessageView) -> bool:
        return True


def _same_value(expected: Any, actual: Any) -> bool:
    # bool is an int in Python; a filter on `true` must not match the number 1, nor the reverse.
    if isinstance(expected, bool) != isinstance(actual, bool):
        return False
    return bool(expected == actual)


@dataclass(frozen=True, slots=True)
class CorrelationFilter:
    """Matches when every property it sets equals the message's (exact, case-sensitive, typed)."""

    correlation_id: str | None = None
    message_id: str | None = None
    to: str | None = None
    reply_to: str | None = None
    subject: str | None = None
    session_id: str | None = None
    reply_to_session_id: str | None = None
    content_type: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)

    def matches(self, message: MessageView) -> bool:
        system = (
            (self.correlation_id, message.correlation_id),
            (self.message_id, message.message_id),
            (self.to, message.to),
            (self.reply_to, message.reply_to),
            (self.subject, message.subject),
            (self.session_id, message.session_id),
            (self.reply_to_session_id, message.reply_to_session_id),
            (self.content_type, message.content_type),
        )
        if any(expected is not None and expected != actual for expected, actual in system):
            return False
        actual_properties = message.application_properties
        return all(
            name in actual_properties and _same_value(expected, actual_properties[name])
            for name, expected in self.properties.items()
        )


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    filter: Filter
    action: SqlRuleAction | None = None


DEFAULT_RULE = Rule(DEFAULT_RULE_NAME, TrueFilter())


def any_rule_matches(rules: tuple[Rule, ...], message: MessageView) -> bool:
    return any(rule.filter.matches(message) for rule in rules)
