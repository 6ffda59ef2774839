"""``GET /metrics`` of the admin HTTP server: the broker side of the platform in the Prometheus text format.

Per partition (``hub`` and ``partition`` come from the config, so the label set stays bounded):
``eventhubs_partition_events`` (events retained), ``eventhubs_partition_last_sequence_number`` (-1 when
empty) and ``eventhubs_partition_last_enqueued_timestamp_seconds``; and ``eventhubs_connections``, the open
AMQP connections. Consumer positions are not here: consumers checkpoint to Blob storage, not to the hub, so
each consumer reports its own (``notification_last_sequence_number``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from eventhubs_emulator.provider import EventHubsProvider

# The classic text format, which every Prometheus version reads (newer clients announce 1.0.0).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PARTITION_LABELS = ["hub", "partition"]


class HubCollector(Collector):
    def __init__(self, provider: EventHubsProvider, connections: Callable[[], int]) -> None:
        self._provider = provider
        self._connections = connections

    def collect(self) -> Iterator[GaugeMetricFamily]:
        events = GaugeMetricFamily(
            "eventhubs_partition_events", "Event Hubs emulator: events retained", labels=PARTITION_LABELS
        )
        last = GaugeMetricFamily(
            "eventhubs_partition_last_sequence_number",
            "Event Hubs emulator: sequence number of the newest event (-1 when empty)",
            labels=PARTITION_LABELS,
        )
        enqueued = GaugeMetricFamily(
            "eventhubs_partition_last_enqueued_timestamp_seconds",
            "Event Hubs emulator: when the newest event was enqueued (Unix time; 0 when empty)",
            labels=PARTITION_LABELS,
        )
        for hub in self._provider.hubs():
            for partition_id in hub.partition_ids:
                info = self._provider.partition_info(hub.name, partition_id)
                labels = [hub.name, partition_id]
                events.add_metric(labels, info.event_count)
                last.add_metric(labels, info.last_sequence_number)
                enqueued.add_metric(labels, 0 if info.is_empty else info.last_enqueued_time_ms / 1000)
        yield from (events, last, enqueued)
        yield GaugeMetricFamily(
            "eventhubs_connections", "Event Hubs emulator: open AMQP connections", value=self._connections()
        )


def render(provider: EventHubsProvider, connections: Callable[[], int]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HubCollector(provider, connections))
    return generate_latest(registry)
