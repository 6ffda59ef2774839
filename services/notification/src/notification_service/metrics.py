"""Prometheus metrics of the process: the HTTP RED metrics every service shares (`servicekit.metrics`) and
the notification service's own, ``notification_``-prefixed."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge
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
        self.log_reads = Counter(
            "notification_log_reads_total",
            "Notification log reads before sending: only for events that may have been handled before "
            "(after a partition is claimed, up to the first one not in the log)",
            registry=self.registry,
        )
        self.poison = Counter(
            "notification_poison_events_total",
            "Events passed over as poison",
            ["reason"],
            registry=self.registry,
        )
        self.lag = Gauge(
            "notification_event_lag_seconds",
            "Per partition, how long the last handled event waited after the hub enqueued it",
            ["partition"],
            registry=self.registry,
        )
        self.last_sequence = Gauge(
            "notification_last_sequence_number",
            "Per partition, the sequence number of the last handled event",
            ["partition"],
            registry=self.registry,
        )

    def observe_position(
        self, partition: str, sequence_number: int, enqueued_time: datetime | None, now: datetime
    ) -> None:
        """An event of ``partition`` is handled (or passed over as poison) at ``now``."""
        self.last_sequence.labels(partition).set(sequence_number)
        if enqueued_time is not None:
            self.lag.labels(partition).set(max(0.0, (now - enqueued_time).total_seconds()))
