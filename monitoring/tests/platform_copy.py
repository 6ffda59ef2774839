"""harness/platform.yaml with a ``metrics`` URL on every component that serves /metrics.

The monitoring change to harness/platform.yaml adds these URLs; until it lands, the tests run on a copy
that has them (where the file already has one, the copy changes nothing).
"""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
PLATFORM = REPO / "harness" / "platform.yaml"
SERVES_METRICS = ("servicebus", "eventhubs", "product", "order", "payment", "payment-worker", "notification")


def platform_with_metrics_urls(directory: Path) -> Path:
    platform = yaml.safe_load(PLATFORM.read_text())
    platform["root"] = str(REPO)
    for name in SERVES_METRICS:
        platform["components"][name].setdefault("urls", {}).setdefault(
            "metrics", "http://{host}:{ports.http}/metrics"
        )
    path = directory / "platform.yaml"
    path.write_text(yaml.safe_dump(platform, sort_keys=False))
    return path
