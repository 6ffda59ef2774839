"""Shared fixtures and factories: Azurite and the mailbox (once per session), the Event Hubs emulator
(once per test, so every test reads a hub of its own), the real ``notification-service`` process, and
``OrderStatusChanged`` events built from the contract example. All on free ports."""

from __future__ import annotations

import copy
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from azure.eventhub import EventData
from azure.eventhub.aio import EventHubProducerClient
from notification_service.adapters.tables import TableNotificationLog
from shopctl.testing import LaunchedPlatform, launched

REPO = Path(__file__).resolve().parents[3]
CONTRACTS = REPO / "contract-tests" / "messages"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
# Partition ownership in the tests: a rebalance every second, a silent instance's claim lapsing after 4 s.
LOAD_BALANCING_SECONDS = 1
OWNERSHIP_EXPIRATION_SECONDS = 4
# How long an exact count must hold once reached: past a lapsed claim plus two rebalancing rounds, the
# longest it takes for an event to be read a second time (after a restart, or by a second instance).
QUIET_SECONDS = OWNERSHIP_EXPIRATION_SECONDS + 2 * LOAD_BALANCING_SECONDS


@pytest.fixture(scope="session")
def platform() -> Iterator[LaunchedPlatform]:
    with launched("azurite", "mailbox") as running:
        yield running


@pytest.fixture
async def notification_log(platform: LaunchedPlatform) -> AsyncIterator[TableNotificationLog]:
    """A notification log in a table of its own on the session's Azurite."""
    table = TableNotificationLog.connect(
        f"log{uuid.uuid4().hex[:12]}",
        connection_string=platform.azurite_connection_string("blob", "table"),
        endpoint=None,
    )
    await table.ensure_table()
    yield table
    await table.close()


@pytest.fixture
def eventhubs() -> Iterator[LaunchedPlatform]:
    with launched("eventhubs") as running:
        yield running


def eventhub_connection_string(eventhubs: LaunchedPlatform) -> str:
    return (
        f"Endpoint=sb://127.0.0.1:{eventhubs.port('eventhubs', 'amqp')};"
        "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;"
        "UseDevelopmentEmulator=true;EntityPath=order-events"
    )


def mailbox_url(platform: LaunchedPlatform) -> str:
    return f"http://127.0.0.1:{platform.port('mailbox', 'http')}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def env(platform: LaunchedPlatform, eventhubs: LaunchedPlatform) -> dict[str, str]:
    """The environment of this test's notification processes (own log table and checkpoint container)."""
    suffix = uuid.uuid4().hex[:12]
    storage = platform.azurite_connection_string("blob", "table")
    return {
        "NOTIFICATION_ENVIRONMENT": "development",
        "NOTIFICATION_LOG_LEVEL": "INFO",
        "NOTIFICATION_EVENTHUB_CONNECTION_STRING": eventhub_connection_string(eventhubs),
        "NOTIFICATION_CHECKPOINT_CONNECTION_STRING": storage,
        "NOTIFICATION_CHECKPOINT_CONTAINER": f"checkpoints-{suffix}",
        "NOTIFICATION_TABLES_CONNECTION_STRING": storage,
        "NOTIFICATION_LOG_TABLE": f"notifications{suffix}",
        "NOTIFICATION_EMAIL_TRANSPORT": "smtp",
        "NOTIFICATION_SMTP_PORT": str(platform.port("mailbox", "smtp")),
        "NOTIFICATION_SMS_TRANSPORT": "mailbox",
        "NOTIFICATION_MAILBOX_URL": mailbox_url(platform),
        "NOTIFICATION_CONTRACTS_DIR": str(CONTRACTS),
        "NOTIFICATION_SEND_RETRY_BASE_SECONDS": "0.1",
        "NOTIFICATION_SHUTDOWN_GRACE_SECONDS": "5",
        "NOTIFICATION_LOAD_BALANCING_SECONDS": str(LOAD_BALANCING_SECONDS),
        "NOTIFICATION_OWNERSHIP_EXPIRATION_SECONDS": str(OWNERSHIP_EXPIRATION_SECONDS),
    }


def status_changed(
    status: str = "PAID",
    *,
    order_id: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    **data: Any,
) -> dict[str, Any]:
    """A valid OrderStatusChanged envelope (the contract's example) for a fresh order and customer."""
    envelope: dict[str, Any] = copy.deepcopy(
        json.loads((CONTRACTS / "examples" / "OrderStatusChanged.v1.json").read_text())
    )
    order_id = order_id or f"ord_{uuid.uuid4().hex[:10]}"
    envelope["id"] = str(uuid.uuid4())
    envelope["correlationId"] = order_id
    envelope["data"].update(orderId=order_id, status=status, **data)
    envelope["data"]["customer"] = {
        "email": email or f"{uuid.uuid4().hex[:10]}@example.com",
        "name": "Ada Lovelace",
    }
    if phone:
        envelope["data"]["customer"]["phone"] = phone
    return envelope


@dataclass
class Hub:
    producer: EventHubProducerClient

    async def send(self, *envelopes: dict[str, Any], **properties: Any) -> None:
        for envelope in envelopes:
            await self.send_raw(
                json.dumps(envelope).encode(),
                partition_key=envelope["data"]["orderId"],
                properties={
                    "type": envelope["type"],
                    "version": envelope["version"],
                    "traceparent": TRACEPARENT,
                }
                | properties,
            )

    async def send_raw(self, body: bytes, *, partition_key: str, properties: dict[str, Any]) -> None:
        event = EventData(body)
        event.properties = {k: v for k, v in properties.items() if v is not None}
        await self.producer.send_batch([event], partition_key=partition_key)


@pytest.fixture
async def hub(eventhubs: LaunchedPlatform) -> AsyncIterator[Hub]:
    producer = EventHubProducerClient.from_connection_string(eventhub_connection_string(eventhubs))
    async with producer:
        yield Hub(producer)


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def metric(self, name: str) -> float:
        """The sum of a counter's samples on this process's /metrics."""
        text = httpx.get(f"{self.url}/metrics", timeout=5).text
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name) and not line.startswith("#"):
                total += float(line.rsplit(" ", 1)[1])
        return total


@pytest.fixture
def start_service(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """Starts the real ``notification-service``, waits until it is ready; stopped at the end of the test."""
    started: list[Service] = []

    def start(**overrides: str) -> Service:
        port = free_port()
        log_path = tmp_path / f"service-{len(started)}.log"
        with log_path.open("w") as log_file:
            process = subprocess.Popen(
                [str(Path(sys.executable).parent / "notification-service")],
                env={**os.environ, **env, "NOTIFICATION_PORT": str(port), **overrides},
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        service = Service(process, port, log_path)
        started.append(service)
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            try:
                if httpx.get(f"{service.url}/ready", timeout=5).status_code == 200:
                    return service
            except httpx.TransportError:
                pass
            time.sleep(0.2)

    yield start
    for service in started:
        if service.process.poll() is None:
            service.process.send_signal(signal.SIGTERM)
            try:
                service.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                service.process.kill()
                service.process.wait()


def emails_to(platform: LaunchedPlatform, address: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{mailbox_url(platform)}/api/messages", params={"to": address}, timeout=10)
    response.raise_for_status()
    body = response.json()
    return list(body["messages"] if isinstance(body, dict) else body)


def texts_to(platform: LaunchedPlatform, number: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{mailbox_url(platform)}/api/sms", params={"to": number}, timeout=10)
    response.raise_for_status()
    body = response.json()
    return list(body["messages"] if isinstance(body, dict) else body)


def eventually(check: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def settles(counts: Callable[[], dict[str, float]], expected: dict[str, float], within: float = 30.0) -> None:
    """Every count reaches its expected value within ``within`` seconds and then holds it for
    ``QUIET_SECONDS``: an exact count is only shown once a late extra had time to arrive. Fails at once
    when a count goes past its value."""
    deadline = time.monotonic() + within
    while (seen := counts()) != expected:
        over = {name: value for name, value in seen.items() if value > expected[name]}
        assert not over, f"past the expected counts: {over}, expected {expected}"
        assert time.monotonic() < deadline, f"counts {seen} never reached {expected}"
        time.sleep(0.2)
    quiet_until = time.monotonic() + QUIET_SECONDS
    while time.monotonic() < quiet_until:
        time.sleep(0.5)
        seen = counts()
        assert seen == expected, f"counts moved to {seen} after reaching {expected}"
