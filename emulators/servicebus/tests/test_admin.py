from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from servicebus_emulator.app import Emulator, EmulatorOptions
from servicebus_emulator.config import load_config
from servicebus_emulator.model import ReceiveMode
from servicebus_emulator.provider import ServiceBusProvider

from .conftest import CONFIG_DIR, message

PROBLEM = "application/problem+json"


@pytest.fixture
async def emulator(clock) -> AsyncIterator[Emulator]:
    settings = load_config(CONFIG_DIR / "platform.json")
    running = Emulator(settings, EmulatorOptions(http_port=0, amqp_port=0), clock)
    await running.start()
    yield running
    await running.close()


@pytest.fixture
async def http(emulator: Emulator) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(f"http://127.0.0.1:{emulator.http_port}") as session:
        yield session


def provider_of(emulator: Emulator) -> ServiceBusProvider:
    assert emulator.provider is not None
    return emulator.provider


async def test_health_answers_like_microsofts_emulator(http):
    async with http.get("/health") as response:
        assert response.status == 200
        assert await response.json() == {"status": "healthy", "message": "Service is healthy."}


async def test_entities_lists_every_entity_with_counts(emulator, http):
    provider = provider_of(emulator)
    queue = provider.resolve("payment-requests")
    await provider.send(queue, [message(b"1"), message(b"2")])
    [locked] = provider.take(queue, ReceiveMode.PEEK_LOCK, 1)
    await provider.dead_letter(locked.lock_token, "Poison", "bad")

    async with http.get("/entities") as response:
        body = await response.json()

    assert body["namespace"] == "sbemulatorns"
    entities = {e["path"]: e for e in body["entities"]}
    assert set(entities) == {
        "payment-requests",
        "payment-events",
        "payment-events/Subscriptions/order-service",
    }
    assert entities["payment-requests"]["kind"] == "queue"
    assert entities["payment-requests"]["counts"] == {
        "active": 1,
        "dead_lettered": 1,
        "scheduled": 0,
        "deferred": 0,
        "locked": 0,
    }
    assert entities["payment-events/Subscriptions/order-service"]["topic"] == "payment-events"


async def test_entity_route_resolves_subscriptions_and_dead_letter_queues(http):
    async with http.get("/entities/payment-events/Subscriptions/order-service/$DeadLetterQueue") as response:
        body = await response.json()

    assert response.status == 200
    assert body["path"] == "payment-events/Subscriptions/order-service/$DeadLetterQueue"
    assert body["kind"] == "subscription"


async def test_peek_returns_metadata_without_bodies(emulator, http):
    provider = provider_of(emulator)
    queue = provider.resolve("payment-requests")
    await provider.send(
        queue,
        [
            message(b"secret-body", message_id=f"order-{i}", properties={"type": "PaymentRequested"})
            for i in range(3)
        ],
    )

    async with http.get(
        "/entities/payment-requests/messages", params={"from_sequence_number": 2}
    ) as response:
        body = await response.json()

    assert [m["sequence_number"] for m in body["messages"]] == [2, 3]
    first = body["messages"][0]
    assert first["message_id"] == "order-1"
    assert first["application_properties"] == {"type": "PaymentRequested"}
    assert first["state"] == "active"
    assert "secret-body" not in await response.text()


async def test_purge_empties_the_entity(emulator, http):
    provider = provider_of(emulator)
    queue = provider.resolve("payment-requests")
    await provider.send(queue, [message(), message()])

    async with http.delete("/entities/payment-requests/messages") as response:
        assert await response.json() == {"path": "payment-requests", "purged": 2}

    assert provider.counts(queue).active == 0


async def test_unknown_entity_is_a_404_problem(http):
    async with http.get("/entities/nope/messages") as response:
        assert response.status == 404
        assert response.content_type == PROBLEM
        body = await response.json(content_type=PROBLEM)
    assert body["title"] == "Not Found"
    assert "nope" in body["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"count": "0"}, "count"),
        ({"count": "many"}, "count"),
        ({"from_sequence_number": "-1"}, "from_sequence_number"),
    ],
)
async def test_bad_peek_parameters_are_400_problems_naming_the_field(http, query, field):
    async with http.get("/entities/payment-requests/messages", params=query) as response:
        assert response.status == 400
        body = await response.json(content_type=PROBLEM)
    assert body["field"] == field


async def test_fault_rules_can_be_added_listed_and_removed(emulator, http):
    rule = {"entity": "payment-requests", "operation": "send", "action": "error", "count": 1}
    async with http.post("/faults", json=rule) as response:
        assert response.status == 201
        created = await response.json()
    assert response.headers["Location"] == f"/faults/{created['id']}"
    assert created["condition"] == "com.microsoft:server-busy"

    async with http.get("/faults") as response:
        assert [r["id"] for r in (await response.json())["rules"]] == [created["id"]]
    fault = emulator.faults.match("payment-requests", "send")
    assert fault is not None
    assert fault.rule_id == created["id"]
    async with http.get("/faults") as response:
        assert (await response.json())["rules"] == []


async def test_bad_fault_rule_is_a_400_problem_naming_the_field(http):
    async with http.post("/faults", json={"operation": "send", "action": "explode"}) as response:
        assert response.status == 400
        body = await response.json(content_type=PROBLEM)
    assert body["field"] == "action"
