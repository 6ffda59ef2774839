"""The typed syntax tree of SQL filters and rule actions.

Expressions produce values; predicates produce true, false or unknown. The grammar keeps them apart (an
expression is never a predicate), and so do the types here. Parentheses leave no node behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

ConstantValue = None | bool | int | float | str
"""A literal: NULL, TRUE/FALSE, an integer (Int64), a decimal or approximate number (double), a string."""


ComparisonOperator = Literal["=", "<>", "!=", ">", ">=", "<", "<="]
ArithmeticOperator = Literal["+", "-", "*", "/", "%"]
UnaryOperator = Literal["+", "-"]


class Scope(StrEnum):
    SYSTEM = "sys"
    USER = "user"


@dataclass(frozen=True, slots=True, eq=False)
class Constant:
    value: ConstantValue

    def __eq__(self, other: object) -> bool:
        # bool is an int in Python: TRUE and 1 are different constants.
        return (
            isinstance(other, Constant)
            and type(self.value) is type(other.value)
            and self.value == other.value
        )

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))


@dataclass(frozen=True, slots=True)
class Property:
    """A message property. ``name`` is the canonical system property name for ``sys``, else as written."""

    scope: Scope
    name: str


@dataclass(frozen=True, slots=True)
class Function:
    """``newid()`` (no arguments) or ``property(name)`` / ``p(name)`` (one)."""

    name: Literal["newid", "property"]
    arguments: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class Unary:
    operator: UnaryOperator
    operand: Expression


@dataclass(frozen=True, slots=True)
class Binary:
    operator: ArithmeticOperator
    left: Expression
    right: Expression


Expression = Constant | Property | Function | Unary | Binary


@dataclass(frozen=True, slots=True)
class Comparison:
    operator: ComparisonOperator
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class IsNull:
    property: Property
    negated: bool = False


@dataclass(frozen=True, slots=True)
class In:
    operand: Expression
    items: tuple[Expression, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Like:
    operand: Expression
    pattern: Expression
    escape: Expression | None = None
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Exists:
    property: Property


@dataclass(frozen=True, slots=True)
class Not:
    operand: Predicate


@dataclass(frozen=True, slots=True)
class And:
    left: Predicate
    right: Predicate


@dataclass(frozen=True, slots=True)
class Or:
    left: Predicate
    right: Predicate


Predicate = Comparison | IsNull | In | Like | Exists | Not | And | Or


@dataclass(frozen=True, slots=True)
class Set:
    property: Property
    value: Expression


@dataclass(frozen=True, slots=True)
class Remove:
    property: Property


Statement = Set | Remove
