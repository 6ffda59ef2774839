"""The local Prometheus configuration, from the platform: every component that declares a ``metrics`` URL
in harness/platform.yaml is a scrape target, as a job named after the component, with the same rules as
the cluster (prometheus/rules.yml)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from shopctl.resolve import ResolvedComponent

from shopmonitoring.rules import dump_yaml

MONITORING = Path(__file__).resolve().parents[2]
RULES_FILE = MONITORING / "prometheus" / "rules.yml"
METRICS_URL = "metrics"  # the key under a component's `urls`


@dataclass(frozen=True)
class Target:
    job: str
    address: str  # host:port
    path: str
    scheme: str


def target_from_url(job: str, url: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{job}: metrics URL {url!r} is not an http(s) URL with a host")
    return Target(job, parts.netloc, parts.path or "/metrics", parts.scheme)


def targets(components: Iterable[ResolvedComponent]) -> list[Target]:
    return [
        target_from_url(component.name, component.urls[METRICS_URL])
        for component in components
        if METRICS_URL in component.urls
    ]


def prometheus_config(
    scraped: Iterable[Target],
    rule_files: Iterable[Path] = (RULES_FILE,),
    interval: str = "5s",
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A prometheus.yml: short intervals, as a developer wants to see an order move within seconds."""
    return {
        "global": {
            "scrape_interval": interval,
            "evaluation_interval": interval,
            "external_labels": dict(labels or {"environment": "local"}),
        },
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": [
            {
                "job_name": target.job,
                "metrics_path": target.path,
                "scheme": target.scheme,
                "static_configs": [{"targets": [target.address], "labels": {"component": target.job}}],
            }
            for target in scraped
        ],
    }


def write_config(path: Path, config: Mapping[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        dump_yaml(dict(config), "Written by `shop-monitoring prometheus` from harness/platform.yaml.")
    )
    return path
