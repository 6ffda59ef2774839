"""Prometheus metrics. One registry per application instance, so several apps in one process (tests)
do not collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests served, by route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to serve an HTTP request, by route template.",
            ("method", "route"),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.cosmos_charge = Counter(
            "cosmos_request_units_total",
            "Request units charged by Cosmos DB, by operation.",
            ("operation",),
            registry=self.registry,
        )
        self.cosmos_latency = Histogram(
            "cosmos_request_duration_seconds",
            "Round-trip time of Cosmos DB requests, by operation and status.",
            ("operation", "status"),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.reservations_expired = Counter(
            "reservations_expired_total",
            "Reservations expired or settled by the sweeper.",
            registry=self.registry,
        )

    def observe_cosmos(self, operation: str, status: int, seconds: float, request_units: float) -> None:
        self.cosmos_charge.labels(operation).inc(request_units)
        self.cosmos_latency.labels(operation, str(status)).observe(seconds)
