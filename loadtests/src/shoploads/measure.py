"""The figures a run is judged by, read from Locust's statistics.

Typed against the few attributes it reads, not Locust's classes: importing Locust monkey-patches the
process (gevent), which the gate's unit tests must not do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from shoploads import routes


class StatsEntry(Protocol):
    name: str
    num_requests: int
    num_failures: int
    start_time: float
    last_request_timestamp: float | None

    def get_response_time_percentile(self, percent: float) -> float: ...


class RequestStats(Protocol):
    @property
    def total(self) -> StatsEntry: ...

    @property
    def entries(self) -> Mapping[Any, StatsEntry]: ...


PERCENTILES = (0.5, 0.95, 0.99)


@dataclass(frozen=True)
class EntryFigures:
    name: str
    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    rps: float


@dataclass(frozen=True)
class Measured:
    duration_s: float
    requests: int
    failures: int
    error_rate: float
    orders_placed: int
    orders_per_second: float
    entries: dict[str, EntryFigures] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _percentile(entry: StatsEntry, p: float) -> float | None:
    return float(entry.get_response_time_percentile(p)) if entry.num_requests else None


def measure(stats: RequestStats) -> Measured:
    total = stats.total
    duration = max(1e-9, (total.last_request_timestamp or total.start_time) - total.start_time)
    entries: dict[str, EntryFigures] = {}
    for entry in stats.entries.values():
        entries[entry.name] = EntryFigures(
            name=entry.name,
            requests=entry.num_requests,
            failures=entry.num_failures,
            p50_ms=_percentile(entry, 0.5),
            p95_ms=_percentile(entry, 0.95),
            p99_ms=_percentile(entry, 0.99),
            rps=entry.num_requests / duration,
        )
    post = entries.get(routes.POST_ORDER)
    placed = post.requests - post.failures if post else 0
    return Measured(
        duration_s=round(duration, 3),
        requests=total.num_requests,
        failures=total.num_failures,
        error_rate=total.num_failures / total.num_requests if total.num_requests else 0.0,
        orders_placed=placed,
        orders_per_second=placed / duration,
        entries=entries,
    )
