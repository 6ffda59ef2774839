"""The admin HTTP API (real server, real requests) and fault injection seen through the SDK."""

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from azure.eventhub import EventData, EventHubProducerClient
from azure.eventhub.aio import EventHubConsumerClient as AsyncConsumerClient
from azure.eventhub.aio import EventHubProducerClient as AsyncProducerClient
from azure.eventhub.exceptions import EventHubError
from emulator_common.testing import close_receiving


def call(base: str, method: str, path: str, body: Any = None) -> tuple[int, str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return response.status, response.headers["Content-Type"], json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], json.loads(error.read())


def test_health_answers(emulator) -> None:
    status, _, body = call(emulator.admin_url, "GET", "/health")
    assert status == 200
    assert body["status"] == "healthy"


def test_hubs_list_partitions_with_counts_and_last_sequence_numbers(emulator) -> None:
    with EventHubProducerClient.from_connection_string(emulator.connection_string()) as producer:
        producer.send_batch([EventData("a"), EventData("b")], partition_id="2")
    status, _, body = call(emulator.admin_url, "GET", "/hubs")
    assert status == 200
    (hub,) = body["hubs"]
    assert hub["name"] == "order-events"
    assert hub["consumer_groups"] == ["$Default", "notification-service", "analytics"]
    partition = hub["partitions"][2]
    assert partition["id"] == "2"
    assert partition["event_count"] >= 2
    assert partition["last_sequence_number"] == partition["event_count"] - 1
    status, _, single = call(emulator.admin_url, "GET", "/hubs/order-events/partitions/2")
    assert status == 200
    assert single["last_sequence_number"] == partition["last_sequence_number"]


@pytest.mark.parametrize("path", ["/hubs/nope", "/hubs/order-events/partitions/9"])
def test_unknown_hub_or_partition_is_a_404_problem(emulator, path: str) -> None:
    status, content_type, body = call(emulator.admin_url, "GET", path)
    assert status == 404
    assert content_type.startswith("application/problem+json")
    assert body["status"] == 404


def test_bad_fault_rule_names_the_field(emulator) -> None:
    status, content_type, body = call(emulator.admin_url, "POST", "/faults", {"operation": "send"})
    assert status == 400
    assert content_type.startswith("application/problem+json")
    assert body["field"] == "action"


def test_server_busy_fault_fails_a_send_then_goes_away(emulator) -> None:
    rule = {"entity": "order-events", "operation": "send", "action": "error", "count": 1}
    status, _, created = call(emulator.admin_url, "POST", "/faults", rule)
    assert status == 201
    producer = EventHubProducerClient.from_connection_string(emulator.connection_string(), retry_total=0)
    with producer:
        with pytest.raises(EventHubError, match=r"(?i)busy"):
            producer.send_batch([EventData("refused")], partition_id="0")
        producer.send_batch([EventData("accepted")], partition_id="0")
    _, _, rules = call(emulator.admin_url, "GET", "/faults")
    assert created["id"] not in [r["id"] for r in rules["rules"]]


async def test_link_stolen_fault_on_receive_reaches_on_error(emulator) -> None:
    rule = {"entity": "order-events", "operation": "receive", "action": "link-stolen", "count": 1}
    assert call(emulator.admin_url, "POST", "/faults", rule)[0] == 201
    errors: list[Exception] = []
    failed = asyncio.Event()

    async def on_event(context, event) -> None:
        pass

    async def on_error(context, error) -> None:
        errors.append(error)
        failed.set()

    async with AsyncProducerClient.from_connection_string(emulator.connection_string()) as producer:
        await producer.send_batch([EventData("stolen-by-fault")], partition_id="3")
    consumer = AsyncConsumerClient.from_connection_string(emulator.connection_string(), "analytics")
    task = asyncio.create_task(
        consumer.receive(on_event, on_error=on_error, partition_id="3", starting_position="-1")
    )
    try:
        await asyncio.wait_for(failed.wait(), 15)
    finally:
        await close_receiving(consumer, task)
    assert "stolen" in repr(errors[0]).lower()
