"""Prometheus metrics: the HTTP RED metrics every service shares (`servicekit.metrics`) and the product
service's own, ``product_``-prefixed. One registry per application instance, so several apps in one
process (tests) do not collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from servicekit.metrics import DURATION_BUCKETS, HttpMetrics

# ``labels()`` takes a lock and rebuilds its key from the values on every call; a service's label sets are
# few (routes x statuses, Cosmos DB operations x statuses), so each is looked up once and kept.
_HttpSeries = tuple[Counter, Histogram]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http = HttpMetrics(self.registry)
        self.cosmos_charge = Counter(
            "product_cosmos_request_units_total",
            "Request units charged by Cosmos DB, by operation.",
            ("operation",),
            registry=self.registry,
        )
        self.cosmos_latency = Histogram(
            "product_cosmos_request_duration_seconds",
            "Round-trip time of Cosmos DB requests, by operation and status.",
            ("operation", "status"),
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self._http_series: dict[tuple[str, str, int], _HttpSeries] = {}
        self._cosmos_series: dict[tuple[str, int], _HttpSeries] = {}
        self.reservations_expired = Counter(
            "product_reservations_expired_total",
            "Reservations expired or settled by the sweeper.",
            registry=self.registry,
        )

    def observe_http(self, method: str, route: str, status: int, seconds: float) -> None:
        """`HttpMetrics.observe`'s series (method upper-cased, status as text), looked up once each."""
        key = (method, route, status)
        series = self._http_series.get(key)
        if series is None:
            labels = (method.upper(), route, str(status))
            series = (self.http.requests.labels(*labels), self.http.duration.labels(*labels))
            self._http_series[key] = series
        series[0].inc()
        series[1].observe(seconds)

    def observe_cosmos(self, operation: str, status: int, seconds: float, request_units: float) -> None:
        key = (operation, status)
        series = self._cosmos_series.get(key)
        if series is None:
            charge = self.cosmos_charge.labels(operation)
            series = (charge, self.cosmos_latency.labels(operation, str(status)))
            self._cosmos_series[key] = series
        series[0].inc(request_units)
        series[1].observe(seconds)
