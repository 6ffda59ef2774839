"""Throughput and p95 against users, from Locust's full stats history CSV, drawn as a PNG.

Each step's figure is the median of the samples in the second half of the step (after the load settled);
Locust's history percentiles cover the last 10 s, its Requests/s the current rate.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after use(): the backend must be chosen first

from shoploads import routes


@dataclass(frozen=True)
class CurvePoint:
    users: int
    orders_per_second: float
    requests_per_second: float
    p95_post_orders_ms: float
    p95_saga_ms: float


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:  # Locust writes "N/A" before the first sample
        return float("nan")


def read_curve(history_csv: Path) -> list[CurvePoint]:
    samples: dict[int, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    with history_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            users = int(row["User Count"])
            if users > 0:
                samples[users][row["Name"]].append(row)
    points = []
    for users in sorted(samples):
        by_name = samples[users]

        def settled(name: str, column: str, by_name: dict[str, list[dict[str, str]]] = by_name) -> float:
            rows = by_name.get(name, [])
            values = [v for v in (_float(r[column]) for r in rows[len(rows) // 2 :]) if v == v]
            return statistics.median(values) if values else float("nan")

        points.append(
            CurvePoint(
                users=users,
                orders_per_second=settled(routes.POST_ORDER, "Requests/s"),
                requests_per_second=settled("Aggregated", "Requests/s"),
                p95_post_orders_ms=settled(routes.POST_ORDER, "95%"),
                p95_saga_ms=settled(routes.SAGA, "95%"),
            )
        )
    return points


def draw_curve(points: list[CurvePoint], png: Path) -> None:
    users = [p.users for p in points]
    figure, throughput = plt.subplots(figsize=(9, 5))
    throughput.plot(users, [p.orders_per_second for p in points], "o-", color="tab:blue", label="orders/s")
    throughput.plot(
        users, [p.requests_per_second for p in points], "s--", color="tab:cyan", label="all requests/s"
    )
    throughput.set_xlabel("users")
    throughput.set_ylabel("per second")
    latency = throughput.twinx()
    latency.plot(
        users, [p.p95_post_orders_ms for p in points], "^-", color="tab:red", label="p95 POST /orders"
    )
    latency.plot(users, [p.p95_saga_ms for p in points], "v-", color="tab:orange", label="p95 saga")
    latency.set_ylabel("p95 (ms)")
    lines = throughput.get_legend_handles_labels()[0] + latency.get_legend_handles_labels()[0]
    labels = throughput.get_legend_handles_labels()[1] + latency.get_legend_handles_labels()[1]
    throughput.legend(lines, labels, loc="upper left")
    throughput.set_title("Contoso Shop capacity curve (local platform)")
    throughput.grid(alpha=0.3)
    figure.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(png, dpi=110)
    plt.close(figure)
