"""Checks of one component's /metrics against docs/conventions.md, beyond the RED shape that
e2e/tests/test_conventions.py checks: label values that are ids or raw data, histograms not in seconds,
counters without ``_total``, gauges named like counters, and the catalogue's metrics the component must
export (a declared family counts: a labelled metric has no sample before its first event)."""

from __future__ import annotations

import re
from collections import defaultdict

from prometheus_client.parser import text_string_to_metric_families

from shopmonitoring.conventions import MetricSpec

SERVICES = ("product", "order", "payment", "payment-worker", "notification")
EVERY_SERVICE = "every service"
# Series a client library adds under its own names (conventions: process and runtime metrics).
RUNTIME_PREFIXES = ("process_", "python_", "nodejs_")
# The most values one label may take on a single target before it is a sign of an unbounded label.
MAX_VALUES_PER_LABEL = 60

_UNBOUNDED = [
    ("a UUID", re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")),
    ("a hex id", re.compile(r"\b[0-9a-fA-F]{16,}\b")),
    ("a prefixed id", re.compile(r"\b(ord|pay|prd|evt|msg|cus)_[A-Za-z0-9]{4,}")),
    ("an email address", re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")),
    ("a long number", re.compile(r"^\d{6,}$")),
    ("a query string", re.compile(r"\?")),
]


def expected_metrics(component: str, catalogue: dict[str, MetricSpec]) -> set[str]:
    """The catalogue's metrics that ``component`` exports, by the table's component column."""
    return {
        spec.name
        for spec in catalogue.values()
        if spec.component == component or (spec.component == EVERY_SERVICE and component in SERVICES)
    }


def declared_types(text: str) -> dict[str, str]:
    """Metric name -> type, as the ``# TYPE`` lines write them (the client parser renames counters)."""
    types = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[:2] == ["#", "TYPE"]:
            types[parts[2]] = parts[3]
    return types


def problems(component: str, text: str, catalogue: dict[str, MetricSpec]) -> list[str]:
    """One line per breach of the conventions in ``component``'s exposition ``text``."""
    found: list[str] = []
    declared = declared_types(text)
    for name, kind in declared.items():
        if name.startswith(RUNTIME_PREFIXES):
            continue
        if kind == "histogram" and not name.endswith("_seconds"):
            found.append(f"{component}: histogram {name} is not in seconds (name ends in _seconds)")
        if kind == "counter" and not name.endswith("_total"):
            found.append(f"{component}: counter {name} does not end in _total")
        if kind == "gauge" and name.endswith("_total"):
            found.append(f"{component}: gauge {name} is named like a counter (_total)")
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    for family in text_string_to_metric_families(text):
        name = f"{family.name}_total" if family.type == "counter" else family.name
        spec = catalogue.get(name)
        for sample in family.samples:
            labels = set(sample.labels) - {"le", "quantile"}
            if spec is not None and labels != set(spec.labels):
                found.append(
                    f"{component}: {sample.name} has labels {sorted(labels)}, the conventions say "
                    f"{sorted(spec.labels)}"
                )
            for label, value in sample.labels.items():
                values[(name, label)].add(value)
                for what, pattern in _UNBOUNDED:
                    if pattern.search(value):
                        found.append(f"{component}: {sample.name} label {label}={value!r} is {what}")
    for (name, label), seen in sorted(values.items()):
        if len(seen) > MAX_VALUES_PER_LABEL:
            found.append(f"{component}: {name} label {label} has {len(seen)} values: unbounded?")
    for name in sorted(expected_metrics(component, catalogue) - set(declared)):
        found.append(f"{component}: does not export {name} (docs/conventions.md)")
    return found
