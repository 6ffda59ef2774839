"""The targets of docker-bake.hcl, read with an HCL parser (python-hcl2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2


@dataclass(frozen=True)
class Target:
    name: str
    dockerfile: str | None
    tags: list[str]
    labels: dict[str, str] = field(default_factory=dict)
    inherits: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    """A string attribute: the parser keeps its quotes, and may wrap it in a one-item list."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return str(value).strip('"')


def _labels(raw: Any) -> dict[str, str]:
    """A map attribute, which the parser returns as a dict or as a list of dicts."""
    maps = raw if isinstance(raw, list) else [raw]
    return {_text(key): _text(value) for mapping in maps for key, value in mapping.items()}


def targets(path: Path) -> dict[str, Target]:
    with path.open() as handle:
        parsed: dict[str, Any] = hcl2.load(handle)  # type: ignore[attr-defined]
    found = {}
    for block in parsed.get("target", []):
        for raw_name, body in block.items():
            name = _text(raw_name)
            found[name] = Target(
                name=name,
                dockerfile=_text(body["dockerfile"]) if "dockerfile" in body else None,
                tags=[_text(tag) for tag in body.get("tags", [])],
                labels=_labels(body.get("labels", {})),
                inherits=[_text(parent) for parent in body.get("inherits", [])],
            )
    return found


def image_targets(path: Path) -> dict[str, Target]:
    """The targets that build an image (names starting with `_` are only inherited from)."""
    return {name: target for name, target in targets(path).items() if not name.startswith("_")}
