"""YAML with line numbers: every value's path (`("steps", 2, "place")`) mapped to the line it starts on.

PyYAML's composer keeps a start mark on every node, so the document is composed once, constructed into
plain data, and walked to record where each mapping value and sequence item sits. Duplicate keys, which
PyYAML would silently let the last one win, are refused here with both lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


class SourceError(Exception):
    """The file is not a YAML document we can read; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Located:
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int:
        """The line of the value at ``path``, else of its nearest ancestor that exists (1 at worst)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


def load(text: str) -> Located:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise SourceError(line, f"not valid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise SourceError(0, f"not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    located = Located(data)
    if node is not None:
        _walk(node, (), located.lines)
    return located


def _walk(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                raise SourceError(
                    line, f"{format_path(path) or '(top)'}: key {key!r} repeats line {seen[key]}"
                )
            seen[key] = line
            typed: str | int = int(key) if key_node.tag == "tag:yaml.org,2002:int" else key
            lines[(*path, typed)] = line
            _walk(value_node, (*path, typed), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def format_path(path: PathKey) -> str:
    """`("steps", 2, "place", "items", 0)` → `steps[2].place.items[0]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += part if not text else f".{part}"
    return text
