"""Every generated file of monitoring/, and the check that the committed copies are current."""

from __future__ import annotations

import json
from pathlib import Path

from shopmonitoring import dashboards
from shopmonitoring.rules import (
    azure_rule_groups_bicep,
    dump_yaml,
    prometheus_rule_object,
    prometheus_rules_file,
)

MONITORING = Path(__file__).resolve().parents[2]


def outputs() -> dict[Path, str]:
    """Path (under monitoring/) -> content."""
    files = {
        Path("prometheus/rules.yml"): prometheus_rules_file(),
        Path("kubernetes/prometheusrule.yaml"): dump_yaml(prometheus_rule_object()),
        Path("azure/prometheus-rule-groups.bicep"): azure_rule_groups_bicep(),
    }
    for dashboard in dashboards.all_dashboards():
        files[Path("grafana/dashboards") / f"{dashboard.uid}.json"] = (
            json.dumps(dashboard.model, indent=2, sort_keys=True) + "\n"
        )
    return files


def write(root: Path = MONITORING) -> list[Path]:
    written = []
    for relative, content in outputs().items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != content:
            path.write_text(content)
            written.append(path)
    return written


def stale(root: Path = MONITORING) -> list[Path]:
    """Generated files whose committed copy differs from what the sources generate now (or is missing)."""
    return [
        root / relative
        for relative, content in outputs().items()
        if not (root / relative).exists() or (root / relative).read_text() != content
    ]
