"""Template expressions of Azure DevOps YAML (`${{ ... }}`), evaluated at expansion time.

Supported: `parameters.name` / `parameters['name']` (with `.field` access into objects), string, number and
boolean literals, and the functions eq, ne, and, or, not, in, notIn, coalesce, contains, startsWith,
endsWith, format, lower, upper. Anything else is refused by name, so an expression is never passed over.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][\w-]*)"
    r"|(?P<punct>[(),.\[\]]))"
)


class ExpressionError(ValueError):
    """An expression that cannot be evaluated: unknown function, unknown parameter, bad syntax."""


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if isinstance(left, bool) or isinstance(right, bool):
        return _truthy(left) == _truthy(right)
    return bool(left == right)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value != "" and value.lower() != "false"
    return bool(value)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "eq": _equal,
    "ne": lambda a, b: not _equal(a, b),
    "and": lambda *args: all(_truthy(a) for a in args),
    "or": lambda *args: any(_truthy(a) for a in args),
    "not": lambda a: not _truthy(a),
    "in": lambda a, *rest: any(_equal(a, b) for b in rest),
    "notIn": lambda a, *rest: not any(_equal(a, b) for b in rest),
    "coalesce": lambda *args: next((a for a in args if a not in (None, "")), ""),
    "contains": lambda a, b: str(b).lower() in str(a).lower(),
    "startsWith": lambda a, b: str(a).lower().startswith(str(b).lower()),
    "endsWith": lambda a, b: str(a).lower().endswith(str(b).lower()),
    "format": lambda f, *args: re.sub(r"\{(\d+)\}", lambda m: str(args[int(m.group(1))]), str(f)),
    "lower": lambda a: str(a).lower(),
    "upper": lambda a: str(a).upper(),
}


class _Parser:
    def __init__(self, text: str, parameters: Mapping[str, Any]) -> None:
        self.text = text
        self.parameters = parameters
        self.tokens = self._tokenize(text)
        self.position = 0

    def _tokenize(self, text: str) -> list[tuple[str, str]]:
        tokens, index = [], 0
        while index < len(text.rstrip()):
            match = _TOKEN.match(text, index)
            if match is None:
                raise ExpressionError(f"cannot read expression {text!r} at {text[index:]!r}")
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            index = match.end()
        return tokens

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def _take(self, value: str | None = None) -> tuple[str, str]:
        token = self._peek()
        if value is not None and token[1] != value:
            raise ExpressionError(f"expected {value!r} in expression {self.text!r}")
        self.position += 1
        return token

    def parse(self) -> Any:
        value = self._value()
        if self._peek()[0] != "end":
            raise ExpressionError(f"unexpected {self._peek()[1]!r} in expression {self.text!r}")
        return value

    def _value(self) -> Any:
        kind, text = self._take()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text) if "." in text else int(text)
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r} in expression {self.text!r}")
        if text in ("true", "false"):
            return text == "true"
        if self._peek()[1] == "(":
            return self._call(text)
        if text != "parameters":
            raise ExpressionError(f"unsupported context {text!r} in expression {self.text!r}")
        return self._access(dict(self.parameters), "parameters")

    def _call(self, name: str) -> Any:
        if name not in FUNCTIONS:
            raise ExpressionError(f"unsupported function {name}() in expression {self.text!r}")
        self._take("(")
        args = []
        while self._peek()[1] != ")":
            args.append(self._value())
            if self._peek()[1] == ",":
                self._take(",")
        self._take(")")
        return FUNCTIONS[name](*args)

    def _access(self, value: Any, path: str) -> Any:
        while self._peek()[1] in (".", "["):
            if self._take()[1] == ".":
                key = self._take()[1]
            else:
                key = str(self._value())
                self._take("]")
            if not isinstance(value, Mapping) or key not in value:
                raise ExpressionError(f"{path}.{key} is not defined (expression {self.text!r})")
            value, path = value[key], f"{path}.{key}"
        return value


def evaluate(expression: str, parameters: Mapping[str, Any]) -> Any:
    return _Parser(expression, parameters).parse()
