"""Prometheus metrics of the process: the HTTP RED metrics every service shares (`servicekit.metrics`) and
the notification service's own, ``notification_``-prefixed."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter
from servicekit.metrics import HttpMetrics


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http = HttpMetrics(self.registry)
        self.events = Counter(
            "notification_events_total", "order-events read, by result", ["result"], registry=self.registry
        )
        self.sent = Counter(
            "notification_sent_total", "Notifications sent", ["channel"], registry=self.registry
        )
        self.duplicates = Counter(
            "notification_duplicates_skipped_total",
            "Notifications not sent again because their event had been handled",
            ["channel"],
            registry=self.registry,
        )
        self.poison = Counter(
            "notification_poison_events_total",
            "Events passed over as poison",
            ["reason"],
            registry=self.registry,
        )
