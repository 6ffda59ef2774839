"""PromQL checks: the metric names a query reads (promql-parser), and promtool over a rules file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import promql_parser

# Grafana's variables, as promtool and the parser need a literal duration in their place.
GRAFANA_RANGES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def promtool() -> str:
    """$PROMTOOL, else promtool on PATH, else Debian's /usr/bin/promtool (the `prometheus` package)."""
    return os.environ.get("PROMTOOL") or shutil.which("promtool") or "/usr/bin/promtool"


def run_promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def without_grafana_variables(expr: str) -> str:
    for variable, literal in GRAFANA_RANGES.items():
        expr = expr.replace(variable, literal)
    return expr


def metric_names(expr: str) -> set[str]:
    """Every metric name the query selects (``foo{...}`` or ``{__name__="foo"}``); ValueError if it does not
    parse."""
    names: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            if node.name:
                names.add(node.name)
            for matcher in node.matchers.matchers:
                if matcher.name == "__name__":
                    names.add(matcher.value)

    promql_parser.walk(promql_parser.parse(without_grafana_variables(expr)), visit)
    return names
