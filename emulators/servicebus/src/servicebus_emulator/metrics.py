"""``GET /metrics`` of the admin HTTP server: the broker side of the platform in the Prometheus text format.

Per queue and subscription (``entity`` is its path, from the config, so the label set stays bounded):
``servicebus_active_messages``, ``servicebus_dead_lettered_messages``, ``servicebus_scheduled_messages``,
``servicebus_deferred_messages``, ``servicebus_locked_messages``; and ``servicebus_connections``, the open
AMQP connections. Read from the provider at scrape time; Azure Monitor reports the same counts as the
namespace metrics ``ActiveMessages`` and ``DeadletteredMessages``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from servicebus_emulator.model import EntityKind
from servicebus_emulator.provider import ServiceBusProvider

# The classic text format, which every Prometheus version reads (newer clients announce 1.0.0).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

COUNTS = {
    "active": "messages available or locked (as Azure's ActiveMessageCount)",
    "dead_lettered": "messages in the entity's dead-letter queue",
    "scheduled": "messages scheduled for a later enqueue time",
    "deferred": "messages deferred by a receiver",
    "locked": "active messages held under a peek-lock",
}


class BrokerCollector(Collector):
    def __init__(self, provider: ServiceBusProvider, connections: Callable[[], int]) -> None:
        self._provider = provider
        self._connections = connections

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families = {
            name: GaugeMetricFamily(
                f"servicebus_{name}_messages", f"Service Bus emulator: {text}", labels=["entity"]
            )
            for name, text in COUNTS.items()
        }
        for entity in self._provider.entities():
            if entity.kind is EntityKind.TOPIC:
                continue  # a topic holds nothing itself: its subscriptions do
            counts = entity.counts.as_json()
            for name, family in families.items():
                family.add_metric([entity.path], counts[name])
        yield from families.values()
        yield GaugeMetricFamily(
            "servicebus_connections", "Service Bus emulator: open AMQP connections", value=self._connections()
        )


def render(provider: ServiceBusProvider, connections: Callable[[], int]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BrokerCollector(provider, connections))
    return generate_latest(registry)
