"""Thresholds against measured figures: one line per threshold, each with the value measured."""

from __future__ import annotations

from dataclasses import dataclass

from shoploads import routes
from shoploads.measure import Measured
from shoploads.thresholds import Thresholds


@dataclass(frozen=True)
class Check:
    name: str
    limit: str
    measured: str
    passed: bool

    def line(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        return f"{mark}  {self.name:<44} limit {self.limit:<12} measured {self.measured}"


def _ms(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.0f} ms"


def judge(thresholds: Thresholds, measured: Measured) -> list[Check]:
    checks: list[Check] = []
    if thresholds.orders_per_second_min is not None:
        limit = thresholds.orders_per_second_min
        rate = measured.orders_per_second
        checks.append(Check("orders/s (POST /orders 201)", f">= {limit:g}", f"{rate:.1f}", rate >= limit))
    if thresholds.error_rate_max is not None:
        limit = thresholds.error_rate_max
        checks.append(
            Check(
                "error rate",
                f"<= {limit:.2%}",
                f"{measured.error_rate:.2%} ({measured.failures} of {measured.requests})",
                measured.error_rate <= limit,
            )
        )
    if thresholds.saga_p95_ms is not None:
        entry = measured.entries.get(routes.SAGA)
        value = entry.p95_ms if entry else None
        limit = thresholds.saga_p95_ms
        checks.append(
            Check("p95 " + routes.SAGA, f"<= {limit:g} ms", _ms(value), value is not None and value <= limit)
        )
    for name, limits in thresholds.endpoints.items():
        entry = measured.entries.get(name)
        for stat, limit in limits.items():
            value = None if entry is None else (entry.p95_ms if stat == "p95_ms" else entry.p99_ms)
            label = stat.removesuffix("_ms")
            checks.append(
                Check(f"{label} {name}", f"<= {limit:g} ms", _ms(value), value is not None and value <= limit)
            )
    return checks
