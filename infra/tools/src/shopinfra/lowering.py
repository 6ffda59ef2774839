"""Rewrites a Bicep file into the older syntax pycep-parser (and so checkov's Bicep framework) reads,
keeping every line where it was so findings point at the original file and line.

- `type` declarations (and the decorators above them) become blank lines;
- a param or output of a user-defined or typed-array type becomes `object` or `array`; `T?` becomes `T`.

Nothing else changes: resource bodies, the part checkov inspects, are passed through verbatim.
"""

from __future__ import annotations

import re

_BUILTIN = frozenset({"string", "int", "bool", "object", "array"})
_DECLARED_TYPE = re.compile(r"^(\s*(?:param|output)\s+\w+\s+)([^=\s]+(?:\s*\|\s*[^=\s]+)*)(\s*(?:=.*)?)$")


def lower(text: str) -> str:
    lines = text.split("\n")
    blank_until = -1
    for index, line in enumerate(lines):
        if index <= blank_until:
            lines[index] = ""
            continue
        if re.match(r"^type\s+\w+\s*=", line):
            blank_until = _declaration_end(lines, index)
            lines[index] = ""
            _blank_decorators_above(lines, index)
            continue
        match = _DECLARED_TYPE.match(line)
        if match and " resource " not in line:
            lines[index] = match.group(1) + _builtin(match.group(2)) + match.group(3)
    return "\n".join(lines)


def _builtin(type_text: str) -> str:
    type_text = type_text.rstrip("?")
    if type_text.endswith("[]"):
        return "array"
    if type_text in _BUILTIN:
        return type_text
    if type_text.startswith("'") or "|" in type_text:
        return "string"
    return "object"


def _declaration_end(lines: list[str], start: int) -> int:
    depth = 0
    for index in range(start, len(lines)):
        depth += lines[index].count("{") + lines[index].count("[") + lines[index].count("(")
        depth -= lines[index].count("}") + lines[index].count("]") + lines[index].count(")")
        if depth <= 0:
            return index
    return len(lines) - 1


def _blank_decorators_above(lines: list[str], index: int) -> None:
    above = index - 1
    while above >= 0 and lines[above].lstrip().startswith("@"):
        lines[above] = ""
        above -= 1
