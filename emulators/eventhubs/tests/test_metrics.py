"""``GET /metrics``: per-partition event counts and sequence numbers and open AMQP connections, driven with
the official SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from azure.eventhub import EventData
from azure.eventhub.aio import EventHubProducerClient
from emulator_common.testing import connection_string
from eventhubs_emulator.app import Emulator, EmulatorOptions
from eventhubs_emulator.config import load_config
from prometheus_client.parser import text_string_to_metric_families

from .conftest import CONFIG_DIR, HUB

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    running = Emulator(load_config(CONFIG_DIR / "platform.json"), EmulatorOptions(http_port=0, amqp_port=0))
    await running.start()
    yield running
    await running.close()


async def scrape(emulator: Emulator) -> Samples:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{emulator.http_port}/metrics") as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def partition(name: str, partition_id: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return (name, (("hub", HUB), ("partition", partition_id)))


async def test_metrics_report_each_partitions_events_and_last_sequence_number(emulator: Emulator) -> None:
    assert emulator.amqp_port is not None
    producer = EventHubProducerClient.from_connection_string(
        connection_string(emulator.amqp_port, entity=HUB)
    )
    async with producer:
        batch = await producer.create_batch(partition_id="2")
        for body in ("a", "b", "c"):
            batch.add(EventData(body))
        await producer.send_batch(batch)

        metrics = await scrape(emulator)

    assert metrics[partition("eventhubs_partition_events", "2")] == 3
    assert metrics[partition("eventhubs_partition_last_sequence_number", "2")] == 2
    assert metrics[partition("eventhubs_partition_last_enqueued_timestamp_seconds", "2")] > 1.7e9
    assert metrics[partition("eventhubs_partition_events", "0")] == 0
    assert metrics[partition("eventhubs_partition_last_sequence_number", "0")] == -1
    assert metrics[partition("eventhubs_partition_last_enqueued_timestamp_seconds", "0")] == 0
    assert metrics[("eventhubs_connections", ())] >= 1


async def test_metrics_count_no_connections_before_any_client(emulator: Emulator) -> None:
    metrics = await scrape(emulator)

    assert metrics[("eventhubs_connections", ())] == 0
    assert {labels for name, labels in metrics if name == "eventhubs_partition_events"} == {
        (("hub", HUB), ("partition", str(n))) for n in range(4)
    }
