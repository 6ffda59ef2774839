"""``GET /metrics``: per-entity message counts and open AMQP connections, driven with the official SDK."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from azure.servicebus import ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient
from prometheus_client.parser import text_string_to_metric_families
from servicebus_emulator.app import Emulator, EmulatorOptions
from servicebus_emulator.config import load_config

from .conftest import PLATFORM_CONFIG, connection_string


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    running = Emulator(load_config(PLATFORM_CONFIG), EmulatorOptions(http_port=0, amqp_port=0))
    await running.start()
    yield running
    await running.close()


async def scrape(emulator: Emulator) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
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


def entity(name: str, path: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return (name, (("entity", path),))


async def test_metrics_count_active_locked_and_dead_lettered_messages_per_entity(emulator: Emulator) -> None:
    assert emulator.amqp_port is not None
    async with ServiceBusClient.from_connection_string(connection_string(emulator.amqp_port)) as client:
        async with client.get_queue_sender("payment-requests") as sender:
            await sender.send_messages([ServiceBusMessage(f"m{n}") for n in range(3)])
        async with client.get_queue_receiver("payment-requests") as receiver:
            received = []
            while len(received) < 2:
                received += await receiver.receive_messages(
                    max_message_count=2 - len(received), max_wait_time=5
                )
            poison, held = received
            await receiver.dead_letter_message(poison, reason="Poison")
            await receiver.complete_message(held)

            metrics = await scrape(emulator)

    assert metrics[entity("servicebus_dead_lettered_messages", "payment-requests")] == 1
    # The third message is active; it may already be sent ahead to the receiver under a lock (link credit).
    assert metrics[entity("servicebus_active_messages", "payment-requests")] == 1
    assert metrics[entity("servicebus_locked_messages", "payment-requests")] in {0, 1}
    subscription = "payment-events/Subscriptions/order-service"
    assert metrics[entity("servicebus_active_messages", subscription)] == 0
    # A topic stores nothing itself; its subscriptions carry its counts.
    assert entity("servicebus_active_messages", "payment-events") not in metrics
    assert metrics[("servicebus_connections", ())] >= 1


async def test_metrics_connections_fall_to_zero_when_clients_close(emulator: Emulator) -> None:
    assert emulator.amqp_port is not None
    client = ServiceBusClient.from_connection_string(connection_string(emulator.amqp_port))
    async with client, client.get_queue_sender("payment-requests") as sender:
        await sender.send_messages(ServiceBusMessage("one"))
        assert (await scrape(emulator))[("servicebus_connections", ())] >= 1

    for _ in range(50):
        if (await scrape(emulator))[("servicebus_connections", ())] == 0:
            return
        await asyncio.sleep(0.1)
    pytest.fail("servicebus_connections stayed above 0 after the client closed")
