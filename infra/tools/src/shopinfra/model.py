"""What the checks read from a Bicep or .bicepparam file: declarations with the line each starts on.

Values keep the distinction the checks need: a literal (string without interpolation, number, bool,
null) is a `Literal`, an object or array written out is an `ObjectValue` / `ArrayValue`, and anything
computed (references, function calls, interpolated strings, operators) is an `Expression` whose value is
only known at deploy time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Literal:
    value: str | int | bool | None
    line: int


@dataclass(frozen=True)
class Expression:
    text: str
    line: int


@dataclass(frozen=True)
class Property:
    key: str
    value: Value
    line: int


@dataclass(frozen=True)
class ObjectValue:
    properties: tuple[Property, ...]
    line: int

    def get(self, key: str) -> Value | None:
        for prop in self.properties:
            if prop.key == key:
                return prop.value
        return None


@dataclass(frozen=True)
class ArrayValue:
    items: tuple[Value, ...]
    line: int


@dataclass(frozen=True)
class ForLoop:
    """`[for item in source: body]`; the body is evaluated once per item."""

    source: str
    body: Value
    line: int


@dataclass(frozen=True)
class Conditional:
    """`if (condition) body` on a resource or module."""

    condition: str
    body: Value
    line: int


Value = Literal | Expression | ObjectValue | ArrayValue | ForLoop | Conditional


@dataclass(frozen=True)
class Decorator:
    name: str
    arguments: tuple[Value, ...]
    line: int


@dataclass(frozen=True)
class Param:
    name: str
    type_text: str
    default: Value | None
    decorators: tuple[Decorator, ...]
    line: int

    @property
    def required(self) -> bool:
        return self.default is None and not self.type_text.endswith("?")


@dataclass(frozen=True)
class Resource:
    symbol: str
    type_name: str
    api_version: str
    existing: bool
    body: Value
    line: int


@dataclass(frozen=True)
class Module:
    symbol: str
    path: str
    body: Value
    line: int


@dataclass(frozen=True)
class Named:
    """A `var`, `output` or `type` declaration: only its name, line and value matter to the checks."""

    name: str
    value: Value | None
    line: int


@dataclass(frozen=True)
class ParamAssignment:
    name: str
    value: Value
    line: int


@dataclass
class BicepFile:
    path: Path
    target_scope: str = "resourceGroup"
    using: str | None = None
    params: dict[str, Param] = field(default_factory=dict)
    variables: dict[str, Named] = field(default_factory=dict)
    outputs: dict[str, Named] = field(default_factory=dict)
    types: dict[str, Named] = field(default_factory=dict)
    resources: list[Resource] = field(default_factory=list)
    modules: list[Module] = field(default_factory=list)
    assignments: list[ParamAssignment] = field(default_factory=list)


def unwrap(value: Value) -> Value:
    """The body a loop or condition produces once per evaluation."""
    while isinstance(value, ForLoop | Conditional):
        value = value.body
    return value
