"""The analytics-service process end to end: Event Hubs emulator and Azurite (blob checkpoints) from the
platform description, the push stand-in, events in; rows out, malformed events skipped and counted
without stopping the consumer, a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from azure.eventhub import EventData, EventHubProducerClient
from shopctl.testing import LaunchedPlatform, launched

from .conftest import BIN, CONTRACTS, free_port, status_changed, wait_healthy


@pytest.fixture(scope="module")
def platform() -> Iterator[LaunchedPlatform]:
    with launched("azurite", "eventhubs") as running:
        yield running


def hub(platform: LaunchedPlatform) -> str:
    return (
        f"Endpoint=sb://127.0.0.1:{platform.port('eventhubs', 'amqp')};"
        "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;EntityPath=order-events"
    )


def send(platform: LaunchedPlatform, bodies: list[tuple[bytes, dict[str, str]]]) -> None:
    with EventHubProducerClient.from_connection_string(hub(platform)) as producer:
        batch = producer.create_batch()
        for body, properties in bodies:
            event = EventData(body)
            event.properties = properties
            batch.add(event)
        producer.send_batch(batch)


def rows(standin: str, dataset: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(
        f"{standin}/standin/rows", params={"dataset": dataset, "table": "OrderEvents"}
    ).json()["rows"]
    return found


def test_events_become_rows_and_malformed_ones_are_skipped(
    platform: LaunchedPlatform, push_standin: str
) -> None:
    dataset = f"operations-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {
        **os.environ,
        "ANALYTICS_ENVIRONMENT": "development",
        "ANALYTICS_PORT": str(port),
        "ANALYTICS_EVENTHUB_CONNECTION_STRING": hub(platform),
        "ANALYTICS_CHECKPOINT_CONNECTION_STRING": platform.azurite_connection_string("blob"),
        "ANALYTICS_CHECKPOINT_CONTAINER": f"checkpoints-{uuid.uuid4().hex[:8]}",
        "ANALYTICS_POWERBI_URL": f"{push_standin}/v1.0/myorg",
        "ANALYTICS_POWERBI_DATASET": dataset,
        "ANALYTICS_POWERBI_USE_IDENTITY": "false",
        "ANALYTICS_MAX_WAIT_SECONDS": "0.5",
        "ANALYTICS_CONTRACTS_DIR": str(CONTRACTS),
    }
    service = subprocess.Popen([str(BIN / "analytics-service")], env=env, stderr=subprocess.PIPE)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/health", service)
        events = [status_changed(s) for s in ("PENDING_PAYMENT", "PAID", "PAYMENT_FAILED")]
        properties = {"type": "OrderStatusChanged", "version": "1"}
        send(
            platform,
            [
                (json.dumps(events[0]).encode(), properties),
                (b"{this is not json", properties),
                (json.dumps(events[1]).encode(), properties),
                (json.dumps({**events[2], "data": {"orderId": "x"}}).encode(), properties),
                (json.dumps(events[2]).encode(), properties),
            ],
        )
        wanted = {e["data"]["orderId"] for e in events}
        deadline = time.monotonic() + 30
        while {r["OrderId"] for r in rows(push_standin, dataset)} != wanted:
            assert time.monotonic() < deadline, f"rows so far: {rows(push_standin, dataset)}"
            time.sleep(0.2)
        # The stand-in holds the rows before the service has read its answer and counted them.
        while "analytics_rows_pushed_total 3" not in (
            metrics := httpx.get(f"http://127.0.0.1:{port}/metrics").text
        ):
            assert time.monotonic() < deadline, metrics
            time.sleep(0.1)
        assert 'analytics_events_skipped_total{reason="MalformedBody"} 1' in metrics
        assert 'analytics_events_skipped_total{reason="SchemaViolation"} 1' in metrics
        assert service.poll() is None, "a malformed event must not stop the consumer"
        statuses = {r["OrderId"]: r["Status"] for r in rows(push_standin, dataset)}
        assert statuses[events[2]["data"]["orderId"]] == "PAYMENT_FAILED"
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            assert service.wait(timeout=20) == 0
        finally:
            if service.poll() is None:
                service.kill()
