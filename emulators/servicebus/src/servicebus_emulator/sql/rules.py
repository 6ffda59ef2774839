"""`SqlFilter` and `SqlRuleAction`: the parsed language plugged into subscription rules.

`SqlFilter` is a `servicebus_emulator.filters.Filter`. `SqlRuleAction.apply` computes what a rule's
action changes on the copy of a message that a subscription gets; the provider applies it.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from servicebus_emulator.message_fields import MessageView, PropertyValue
from servicebus_emulator.sql import system
from servicebus_emulator.sql.errors import SqlEvaluationError
from servicebus_emulator.sql.evaluator import Properties, evaluate, evaluate_predicate, find_key
from servicebus_emulator.sql.nodes import Predicate, Property, Scope, Set, Statement
from servicebus_emulator.sql.parser import parse_predicate, parse_statements


def _reader(message: MessageView, overrides: Mapping[str, object] | None = None) -> Properties:
    def read_system(name: str) -> object:
        known = system.SYSTEM_PROPERTIES[name.casefold()]
        if overrides is not None and known.field is not None and known.field in overrides:
            return overrides[known.field]
        return known.get(message)

    return Properties(message.application_properties, read_system)


@dataclass(frozen=True, slots=True)
class SqlFilter:
    """A SQL filter rule: matches when its predicate is TRUE for the message (unknown does not match)."""

    expression: str
    predicate: Predicate

    def evaluate(self, message: MessageView) -> bool | None:
        """True, False or None (unknown); raises `SqlEvaluationError` where Azure's filter throws."""
        return evaluate_predicate(self.predicate, _reader(message))

    def matches(self, message: MessageView) -> bool:
        """A filter that fails on this message does not match it.

        Azure instead dead-letters the message in the subscription when the subscription enables
        dead-lettering on filter evaluation exceptions; callers wanting that use `evaluate`.
        """
        try:
            return self.evaluate(message) is True
        except SqlEvaluationError:
            return False


def parse_filter(text: str) -> SqlFilter:
    """Parse a filter's ``SqlExpression``; raises `SqlSyntaxError` (message ends ``at column N``)."""
    return SqlFilter(text, parse_predicate(text))


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What a rule action leaves on the subscription's copy of the message.

    ``system`` holds only the `BrokerMessage` fields the action set or removed (field name → new
    value); ``application_properties`` is the whole new dictionary.
    """

    system: dict[str, str | None] = field(default_factory=dict)
    application_properties: dict[str, PropertyValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SqlRuleAction:
    """``SET``/``REMOVE`` statements run in order; later statements see what earlier ones changed."""

    expression: str
    statements: tuple[Statement, ...]

    def apply(self, message: MessageView) -> ActionResult:
        """Run the statements on a copy of the message's properties; the message is left untouched.

        Raises `SqlEvaluationError` when a value cannot be stored (a non-string into a string system
        property, NULL into ``sys.MessageId``, a time span or decimal into an application property) or
        an expression fails.
        """
        overrides: dict[str, str | None] = {}
        application: dict[str, PropertyValue] = dict(message.application_properties)
        properties = _reader(message, overrides)
        properties = Properties(application, properties.system)
        for statement in self.statements:
            target = statement.property
            value = evaluate(statement.value, properties) if isinstance(statement, Set) else None
            if target.scope is Scope.SYSTEM:
                overrides[_system_field(target)] = _system_value(target, value)
            elif isinstance(statement, Set):
                _set_user(application, target, value)
            else:
                key = find_key(application, target.name)
                if key is not None:
                    del application[key]
        return ActionResult(dict(overrides), application)


def parse_action(text: str) -> SqlRuleAction:
    """Parse a rule action's ``SqlExpression``; raises `SqlSyntaxError` (message ends ``at column N``)."""
    return SqlRuleAction(text, parse_statements(text))


def _system_field(target: Property) -> str:
    known = system.SYSTEM_PROPERTIES[target.name.casefold()]
    assert known.field is not None, "the parser only accepts settable system properties"
    return known.field


def _system_value(target: Property, value: object) -> str | None:
    if value is None:
        if target.name == "MessageId":
            raise SqlEvaluationError("sys.MessageId cannot be NULL")
        return None
    if not isinstance(value, str):
        raise SqlEvaluationError(f"sys.{target.name} takes a string, not {_type_name(value)}")
    return value


def _set_user(application: dict[str, PropertyValue], target: Property, value: object) -> None:
    key = find_key(application, target.name) or target.name
    existing = application.get(key)
    # SET converts implicitly where C# would: a long stored into a double property stays a double.
    if isinstance(existing, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, str | int | float | bytes | uuid.UUID | datetime.datetime | None):
        raise SqlEvaluationError(f"an application property cannot hold {_type_name(value)}")
    application[key] = value


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a long"
    if isinstance(value, float):
        return "a double"
    if isinstance(value, Decimal):
        return "a decimal"
    if isinstance(value, datetime.timedelta):
        return "a time span"
    if isinstance(value, datetime.datetime):
        return "a date/time"
    return f"a {type(value).__name__}"
