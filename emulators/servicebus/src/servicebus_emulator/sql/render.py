"""Syntax tree back to SQL text that parses to the same tree.

Every compound node is parenthesized, so the text does not depend on precedence; user properties are
written with their ``user.`` scope, names that are not regular identifiers in brackets.
"""

from __future__ import annotations

from servicebus_emulator.sql.lexer import is_regular_identifier
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
    Remove,
    Set,
    Statement,
    Unary,
)


def render(node: Expression | Predicate) -> str:
    match node:
        case Constant(value):
            return _constant(value)
        case Property():
            return _property(node)
        case Function("newid", _):
            return "newid()"
        case Function(_, arguments):
            return f"property({render(arguments[0])})"
        case Unary(operator, operand):
            return f"{operator}({render(operand)})"
        case Binary(operator, left, right) | Comparison(operator, left, right):
            return f"({render(left)} {operator} {render(right)})"
        case IsNull(target, negated):
            return f"({_property(target)} IS {'NOT ' if negated else ''}NULL)"
        case In(operand, items, negated):
            listed = ", ".join(render(item) for item in items)
            return f"({render(operand)} {'NOT ' if negated else ''}IN ({listed}))"
        case Like(operand, pattern, escape, negated):
            escaped = "" if escape is None else f" ESCAPE {render(escape)}"
            return f"({render(operand)} {'NOT ' if negated else ''}LIKE {render(pattern)}{escaped})"
        case Exists(target):
            return f"EXISTS({_property(target)})"
        case Not(operand):
            return f"(NOT {render(operand)})"
        case And(left, right):
            return f"({render(left)} AND {render(right)})"
        case Or(left, right):
            return f"({render(left)} OR {render(right)})"


def render_statements(statements: tuple[Statement, ...]) -> str:
    parts = []
    for statement in statements:
        match statement:
            case Set(target, value):
                parts.append(f"SET {_property(target)} = {render(value)}")
            case Remove(target):
                parts.append(f"REMOVE {_property(target)}")
    return "; ".join(parts)


def _constant(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, float):
        text = repr(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    return str(value)


def _property(target: Property) -> str:
    return f"{target.scope.value}.{_name(target.name)}"


def _name(name: str) -> str:
    return name if is_regular_identifier(name) else "[" + name.replace("]", "]]") + "]"
