"""Checks of the dashboards' queries: each parses (promtool, the parser Prometheus itself uses) and reads only
metrics of docs/conventions.md or series that a rule of slo.py records."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from shopmonitoring.conventions import MetricSpec, known_series
from shopmonitoring.dashboards import Dashboard
from shopmonitoring.promql import metric_names, run_promtool, without_grafana_variables
from shopmonitoring.rules import dump_yaml, rule_groups


def recorded_series() -> set[str]:
    return {rule["record"] for group in rule_groups() for rule in group["rules"] if "record" in rule}


def _record_name(dashboard: Dashboard, number: int) -> str:
    return f"panel:{re.sub(r'[^a-zA-Z0-9_]', '_', dashboard.uid)}_{number}:query"


def query_problems(dashboards: Iterable[Dashboard], catalogue: dict[str, MetricSpec]) -> list[str]:
    """One line per bad query, naming the dashboard and the panel; empty when every query is good."""
    known = known_series(catalogue) | recorded_series()
    problems: list[str] = []
    panels: dict[str, str] = {}  # promtool's rule name -> "dashboard / panel"
    rules = []
    for dashboard in dashboards:
        for number, (title, expr) in enumerate(dashboard.queries()):
            where = f"dashboard {dashboard.uid}, panel {title!r}"
            record = _record_name(dashboard, number)
            panels[record] = where
            rules.append({"record": record, "expr": without_grafana_variables(expr)})
            try:
                unknown = metric_names(expr) - known
            except ValueError as error:
                problems.append(f"{where}: does not parse: {error}")
                continue
            if unknown:
                problems.append(f"{where}: reads {sorted(unknown)}, not in docs/conventions.md nor recorded")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "panels.yml"
        path.write_text(dump_yaml({"groups": [{"name": "dashboard-panels", "rules": rules}]}))
        done = run_promtool("check", "rules", path)
    if done.returncode != 0:
        output = done.stdout + done.stderr
        named = [
            f"{where}: promtool: {line.strip()}"
            for record, where in panels.items()
            for line in output.splitlines()
            if f'"{record}"' in line
        ]
        problems.extend(named or [f"promtool refused the panels' queries: {output}"])
    return problems
