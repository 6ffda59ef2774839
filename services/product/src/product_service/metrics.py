"""Prometheus metrics: the HTTP RED metrics every service shares (`servicekit.metrics`) and the product
service's own, ``product_``-prefixed. One registry per application instance, so several apps in one
process (tests) do not collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from servicekit.metrics import DURATION_BUCKETS, HttpMetrics


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
        self.reservations_expired = Counter(
            "product_reservations_expired_total",
            "Reservations expired or settled by the sweeper.",
            registry=self.registry,
        )

    def observe_cosmos(self, operation: str, status: int, seconds: float, request_units: float) -> None:
        self.cosmos_charge.labels(operation).inc(request_units)
        self.cosmos_latency.labels(operation, str(status)).observe(seconds)
