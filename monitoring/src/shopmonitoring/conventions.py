"""The metric catalogue: the table "The metrics dashboards and alerts read" of docs/conventions.md.

The document is the one place the names are written; dashboards, rules and the conventions test read them
from here, so a metric that is not in the document cannot be charted or alerted on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
CONVENTIONS = REPO / "docs" / "conventions.md"
TABLE_HEADING = "### The metrics dashboards and alerts read"
TYPES = {"counter", "gauge", "histogram"}
# Series every Prometheus target has without the target exporting them.
SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}


class ConventionsError(ValueError):
    """The table is missing or a row is malformed; the message names the line."""


@dataclass(frozen=True)
class MetricSpec:
    name: str
    type: str
    labels: tuple[str, ...]
    component: str
    description: str

    def series_names(self) -> set[str]:
        """The names its samples carry on the wire (a histogram's three series)."""
        if self.type == "histogram":
            return {f"{self.name}_bucket", f"{self.name}_sum", f"{self.name}_count"}
        return {self.name}


def load_catalogue(path: Path = CONVENTIONS) -> dict[str, MetricSpec]:
    lines = path.read_text().splitlines()
    try:
        start = lines.index(TABLE_HEADING)
    except ValueError:
        raise ConventionsError(f"{path}: no section {TABLE_HEADING!r}") from None
    catalogue: dict[str, MetricSpec] = {}
    rows = 0
    for number, line in enumerate(lines[start + 1 :], start + 2):
        if line.startswith("#"):
            break
        if not line.startswith("|") or set(line) <= {"|", "-", " "} or line.startswith("| metric "):
            continue
        rows += 1
        spec = _row(line, f"{path}:{number}")
        if spec.name in catalogue:
            raise ConventionsError(f"{path}:{number}: metric {spec.name} listed twice")
        catalogue[spec.name] = spec
    if not rows:
        raise ConventionsError(f"{path}: the table under {TABLE_HEADING!r} has no rows")
    return catalogue


def _row(line: str, where: str) -> MetricSpec:
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    if len(cells) != 5:
        raise ConventionsError(
            f"{where}: expected 5 cells (metric, type, labels, component, what), got {cells}"
        )
    name, kind, labels, component, description = cells
    name = name.strip("`")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ConventionsError(f"{where}: {name!r} is not a metric name")
    if kind not in TYPES:
        raise ConventionsError(f"{where}: {name}: type {kind!r} is not one of {sorted(TYPES)}")
    if kind == "counter" and not name.endswith("_total"):
        raise ConventionsError(f"{where}: counter {name} does not end in _total")
    if kind == "histogram" and not name.endswith("_seconds"):
        raise ConventionsError(f"{where}: histogram {name} is not in seconds (_seconds)")
    return MetricSpec(
        name=name,
        type=kind,
        labels=tuple(label.strip() for label in labels.split(",") if label.strip()),
        component=component,
        description=description,
    )


def known_series(catalogue: dict[str, MetricSpec]) -> set[str]:
    """Every series name a query may use: the catalogue's, their histogram series, and ``up``."""
    names = set(SYNTHETIC)
    for spec in catalogue.values():
        names |= spec.series_names()
    return names
