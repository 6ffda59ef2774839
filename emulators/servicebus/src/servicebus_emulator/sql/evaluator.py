"""Evaluates the syntax tree against a message's properties, in SQL's three-valued logic.

A predicate yields True, False or None (unknown); a filter matches only on True. ``AND`` stops at the
first False and ``OR`` at the first True (so an error on the other side does not matter), ``IN`` stops
at the first equal item. Unknown propagates as the Azure documentation lays out: through arithmetic,
comparisons and LIKE (any unknown operand), IN (unknown left side; an unknown item just does not
match), NOT (NOT unknown is unknown), and AND/OR by their truth tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from servicebus_emulator.sql import system, values
from servicebus_emulator.sql.errors import SqlEvaluationError
from servicebus_emulator.sql.nodes import (
    And,
    Binary,
    Comparison,
    Constant,
    Exists,
    Expression,
    Function,
    In,
    IsNull,
    Like,
    Not,
    Or,
    Predicate,
    Property,
    Scope,
    Unary,
)

_MISSING = object()


def find_key(properties: Mapping[str, object], name: str) -> str | None:
    """The key of ``properties`` that ``name`` refers to: itself, else one equal ignoring case."""
    if name in properties:
        return name
    folded = name.casefold()
    return next((key for key in properties if key.casefold() == folded), None)


@dataclass(frozen=True, slots=True)
class Properties:
    """What expressions read: application properties and a reader of system properties.

    ``system`` takes the canonical name of a known system property (see `system.SYSTEM_PROPERTIES`).
    """

    application: Mapping[str, object]
    system: Callable[[str], object]

    def user(self, name: str) -> object:
        """The value, or ``_MISSING`` when there is no such property (which is not the same as NULL)."""
        key = find_key(self.application, name)
        return _MISSING if key is None else self.application[key]

    def read(self, target: Property) -> object:
        if target.scope is Scope.SYSTEM:
            return self.system(target.name)
        value = self.user(target.name)
        return None if value is _MISSING else value

    def exists(self, target: Property) -> bool:
        if target.scope is Scope.SYSTEM:
            return self.system(target.name) is not None
        return self.user(target.name) is not _MISSING


def evaluate_predicate(node: Predicate, properties: Properties) -> bool | None:
    """True, False or None (unknown). Raises `SqlEvaluationError` where Azure throws."""
    match node:
        case Comparison(operator, left, right):
            return values.compare(operator, evaluate(left, properties), evaluate(right, properties))
        case And(left, right):
            first = evaluate_predicate(left, properties)
            if first is False:
                return False
            second = evaluate_predicate(right, properties)
            if second is False:
                return False
            return True if first and second else None
        case Or(left, right):
            first = evaluate_predicate(left, properties)
            if first is True:
                return True
            second = evaluate_predicate(right, properties)
            if second is True:
                return True
            return False if first is False and second is False else None
        case Not(operand):
            result = evaluate_predicate(operand, properties)
            return None if result is None else not result
        case IsNull(target, negated):
            is_null = properties.read(target) is None
            return is_null != negated
        case Exists(target):
            return properties.exists(target)
        case In(operand, items, negated):
            value = evaluate(operand, properties)
            if value is None:
                return None
            found = any(values.compare("=", value, evaluate(item, properties)) for item in items)
            return found != negated
        case Like(operand, pattern, escape, negated):
            matched = values.like(
                evaluate(operand, properties),
                evaluate(pattern, properties),
                None if escape is None else evaluate(escape, properties),
                has_escape=escape is not None,
            )
            return None if matched is None else matched != negated


def evaluate(node: Expression, properties: Properties) -> object:
    """The value of an expression; None is NULL/unknown."""
    match node:
        case Constant(value):
            return value
        case Property():
            return properties.read(node)
        case Unary(operator, operand):
            return values.negate(operator, evaluate(operand, properties))
        case Binary(operator, left, right):
            return values.arithmetic(operator, evaluate(left, properties), evaluate(right, properties))
        case Function("newid", _):
            return uuid.uuid4()
        case Function(_, arguments):
            return _property_function(evaluate(arguments[0], properties), properties)


def _property_function(name: object, properties: Properties) -> object:
    """``property(name)``: ``name`` may carry a ``sys.`` or ``user.`` scope; a non-string name is unknown."""
    if not isinstance(name, str):
        return None
    scope, dot, rest = name.partition(".")
    if dot and scope.lower() == "sys":
        known = system.lookup(rest)
        if known is None:
            raise SqlEvaluationError(f"unknown system property {rest!r}")
        return properties.system(known.name)
    if dot and scope.lower() == "user":
        name = rest
    return properties.read(Property(Scope.USER, name))
