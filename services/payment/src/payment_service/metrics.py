"""Prometheus metrics, one registry per process (the API and the worker are separate processes): the HTTP
RED metrics every service shares (`servicekit.metrics`) and the payment service's own, ``payment_``-prefixed
in both processes."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from servicekit.metrics import HttpMetrics


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http = HttpMetrics(self.registry)
        self.refunds = Counter("payment_refunds_total", "Refunds made", registry=self.registry)


class WorkerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # The worker's operations endpoint (/health, /ready, /metrics).
        self.http = HttpMetrics(self.registry)
        self.messages = Counter(
            "payment_messages_total",
            "payment-requests messages handled, by settlement",
            ["settlement"],
            registry=self.registry,
        )
        self.outcomes = Counter(
            "payment_outcomes_total", "Payments that reached an outcome", ["outcome"], registry=self.registry
        )
        self.dead_letters = Counter(
            "payment_dead_letters_total",
            "Messages dead-lettered, by reason",
            ["reason"],
            registry=self.registry,
        )
        self.processing = Histogram(
            "payment_processing_seconds", "Time from receipt to settlement decision", registry=self.registry
        )
