"""The gate's limits (loadtests/thresholds.yaml): read and checked before any request is sent.

    orders_per_second_min: 50        # sustained: orders answered 201 over the measured duration
    error_rate_max: 0.0              # failed requests / all requests (saga entries included)
    saga_p95_ms: 1000
    endpoints:
      POST /orders: {p95_ms: 250}

Every mistake names the file and line: an endpoint the suite never requests, a limit that is not a
positive number, a key that is not known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shoploads.routes import ENDPOINTS

_TOP_KEYS = ("orders_per_second_min", "error_rate_max", "saga_p95_ms", "endpoints")
_ENDPOINT_KEYS = ("p95_ms", "p99_ms")


class ThresholdsError(ValueError):
    """A thresholds file that cannot gate a run; the message names file and line."""


@dataclass(frozen=True)
class Thresholds:
    source: str
    orders_per_second_min: float | None = None
    error_rate_max: float | None = None
    saga_p95_ms: float | None = None
    endpoints: dict[str, dict[str, float]] = field(default_factory=dict)


def load_thresholds(path: Path) -> Thresholds:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ThresholdsError(f"{path}: {exc.strerror}") from exc
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise ThresholdsError(f"{path}: not YAML: {exc}") from exc
    if not isinstance(root, yaml.MappingNode):
        raise ThresholdsError(f"{path}:1: expected a mapping of thresholds")
    values: dict[str, Any] = {"source": str(path)}
    for key_node, value_node in root.value:
        key = key_node.value
        where = f"{path}:{key_node.start_mark.line + 1}"
        if key not in _TOP_KEYS:
            raise ThresholdsError(f"{where}: unknown key {key!r} (known: {', '.join(_TOP_KEYS)})")
        if key == "endpoints":
            values["endpoints"] = _endpoints(path, value_node)
        elif key == "error_rate_max":
            values[key] = _number(path, key, value_node, allow_zero=True, at_most=1.0)
        else:
            values[key] = _number(path, key, value_node, allow_zero=False)
    return Thresholds(**values)


def _endpoints(path: Path, node: yaml.Node) -> dict[str, dict[str, float]]:
    if not isinstance(node, yaml.MappingNode):
        raise ThresholdsError(f"{path}:{node.start_mark.line + 1}: endpoints must map names to limits")
    limits: dict[str, dict[str, float]] = {}
    for name_node, limit_node in node.value:
        name = name_node.value
        where = f"{path}:{name_node.start_mark.line + 1}"
        if name not in ENDPOINTS:
            raise ThresholdsError(
                f"{where}: unknown endpoint {name!r}; the suite requests: {', '.join(ENDPOINTS)}"
            )
        if not isinstance(limit_node, yaml.MappingNode) or not limit_node.value:
            raise ThresholdsError(f"{where}: {name}: expected limits such as {{p95_ms: 250}}")
        limits[name] = {}
        for stat_node, value_node in limit_node.value:
            stat = stat_node.value
            if stat not in _ENDPOINT_KEYS:
                raise ThresholdsError(
                    f"{path}:{stat_node.start_mark.line + 1}: {name}: unknown limit {stat!r} "
                    f"(known: {', '.join(_ENDPOINT_KEYS)})"
                )
            limits[name][stat] = _number(path, f"{name} {stat}", value_node, allow_zero=False)
    return limits


def _number(
    path: Path, what: str, node: yaml.Node, *, allow_zero: bool, at_most: float | None = None
) -> float:
    where = f"{path}:{node.start_mark.line + 1}"
    raw = node.value if isinstance(node, yaml.ScalarNode) else None
    tag = getattr(node, "tag", "")
    if raw is None or not tag.endswith((":int", ":float")):
        shown = raw if raw is not None else type(node).__name__
        raise ThresholdsError(f"{where}: {what} must be a number, got {shown!r}")
    value = float(yaml.safe_load(raw))  # YAML's own reading: .nan, .inf, 1e3, 0x10
    if math.isnan(value) or math.isinf(value) or value < 0 or (value == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "more than zero"
        raise ThresholdsError(f"{where}: {what} must be {bound}, got {raw}")
    if at_most is not None and value > at_most:
        raise ThresholdsError(f"{where}: {what} must be at most {at_most}, got {raw}")
    return value
