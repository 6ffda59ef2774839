"""Shared fixtures and factories: Azurite and the Service Bus emulator (free ports, once per session), the
real ``payment-worker`` process, and messages built from the contract examples.

The Service Bus emulator runs with the platform's entity config except a 5 s lock duration (instead of
30 s), so lock renewal and redelivery after a killed worker are observable within seconds.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from azure.servicebus import ServiceBusMessage, ServiceBusSubQueue
from azure.servicebus.aio import ServiceBusClient
from flask import Flask
from flask.testing import FlaskClient
from payment_service.adapters.gateway import SimulatedGateway
from payment_service.adapters.ledger import TableLedger
from payment_service.app import create_app
from payment_service.domain.models import ChargeResult, FailureReason, Money, Payment, PaymentState
from payment_service.settings import Settings
from servicekit.auth import mint_dev_token
from shopctl.testing import LaunchedPlatform, launched

REPO = Path(__file__).resolve().parents[3]
CONTRACTS = REPO / "contract-tests" / "messages"
# Public, well-known emulator credentials.
DEV_SIGNING_KEY = "test-signing-key-that-is-long-enough-0123456789"
GATEWAY_KEY = "sk_test_local"
LOCK_SECONDS = 5
FRAUD_REVIEW_SECONDS = 8.0  # longer than the lock: only lock renewal keeps the message


def _test_platform_file(directory: Path) -> Path:
    platform = yaml.safe_load((REPO / "harness" / "platform.yaml").read_text())
    config = json.loads((REPO / "emulators/servicebus/config/platform.json").read_text())
    for namespace in config["UserConfig"]["Namespaces"]:
        for queue in namespace["Queues"]:
            queue["Properties"]["LockDuration"] = f"PT{LOCK_SECONDS}S"
    config_file = directory / "servicebus.json"
    config_file.write_text(json.dumps(config))
    servicebus = platform["components"]["servicebus"]
    servicebus["command"] = [
        str(config_file) if arg.endswith("platform.json") else arg for arg in servicebus["command"]
    ]
    platform["root"] = str(REPO)
    platform_file = directory / "platform.yaml"
    platform_file.write_text(yaml.safe_dump(platform))
    return platform_file


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaunchedPlatform]:
    platform_file = _test_platform_file(tmp_path_factory.mktemp("platform"))
    with launched("azurite", "servicebus", platform_file=platform_file) as running:
        yield running


def servicebus_connection_string(platform: LaunchedPlatform) -> str:
    return (
        f"Endpoint=sb://127.0.0.1:{platform.port('servicebus', 'amqp')};"
        "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
    )


@pytest.fixture
def ledger_table() -> str:
    return f"payments{uuid.uuid4().hex[:12]}"


@pytest.fixture
def gateway_state(tmp_path: Path) -> Path:
    return tmp_path / "gateway.sqlite3"


@pytest.fixture
def env(platform: LaunchedPlatform, ledger_table: str, gateway_state: Path) -> dict[str, str]:
    """The environment of this test's payment processes (its own ledger table and gateway state)."""
    return {
        "PAYMENT_ENVIRONMENT": "development",
        "PAYMENT_LOG_LEVEL": "INFO",
        "PAYMENT_SERVICEBUS_CONNECTION_STRING": servicebus_connection_string(platform),
        "PAYMENT_TABLES_CONNECTION_STRING": platform.azurite_connection_string("table"),
        "PAYMENT_LEDGER_TABLE": ledger_table,
        "PAYMENT_GATEWAY_API_KEY": GATEWAY_KEY,
        "PAYMENT_GATEWAY_STATE_PATH": str(gateway_state),
        "PAYMENT_GATEWAY_MAX_ATTEMPTS": "3",
        "PAYMENT_GATEWAY_BACKOFF_BASE_SECONDS": "0.05",
        "PAYMENT_FRAUD_REVIEW_SECONDS": str(FRAUD_REVIEW_SECONDS),
        "PAYMENT_AUTH_MODE": "dev",
        "PAYMENT_AUTH_DEV_SIGNING_KEY": DEV_SIGNING_KEY,
        "PAYMENT_CONTRACTS_DIR": str(CONTRACTS),
        "PAYMENT_WORKER_PORT": "0",
        "PAYMENT_SHUTDOWN_GRACE_SECONDS": "5",
    }


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    values = {key.removeprefix("PAYMENT_").lower(): value for key, value in env.items()}
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
async def ledger(settings: Settings) -> AsyncIterator[TableLedger]:
    assert settings.tables_connection_string is not None
    table = TableLedger.connect(
        settings.ledger_table,
        connection_string=settings.tables_connection_string.get_secret_value(),
        endpoint=None,
    )
    await table.ensure_table()
    yield table
    await table.close()


@pytest.fixture
def gateway(gateway_state: Path) -> Iterator[SimulatedGateway]:
    simulator = SimulatedGateway(gateway_state, GATEWAY_KEY, fraud_review_seconds=FRAUD_REVIEW_SECONDS)
    yield simulator
    simulator.close()


def payment_requested(
    order_id: str | None = None, card: str = "4242424242424242", **data: Any
) -> dict[str, Any]:
    """A valid PaymentRequested envelope (the contract's example) for a fresh order."""
    envelope: dict[str, Any] = json.loads((CONTRACTS / "examples" / "PaymentRequested.v1.json").read_text())
    order_id = order_id or f"ord_{uuid.uuid4().hex[:10]}"
    envelope = copy.deepcopy(envelope)
    envelope["id"] = str(uuid.uuid4())
    envelope["correlationId"] = order_id
    envelope["data"]["orderId"] = order_id
    envelope["data"]["paymentMethod"]["token"] = card
    envelope["data"].update(data)
    return envelope


@dataclass
class Bus:
    """The test's side of Service Bus: sends requests, reads outcomes and dead letters."""

    client: ServiceBusClient
    outcomes: dict[str, list[Any]] = field(default_factory=dict)

    async def send_request(self, envelope: dict[str, Any], **properties: Any) -> None:
        props = {"type": envelope.get("type"), "version": envelope.get("version"), "traceparent": TRACEPARENT}
        props.update(properties)
        await self.send_raw(
            json.dumps(envelope).encode(), message_id=envelope["data"]["orderId"], properties=props
        )

    async def send_raw(self, body: bytes, *, message_id: str, properties: dict[str, Any]) -> None:
        async with self.client.get_queue_sender("payment-requests") as sender:
            await sender.send_messages(
                ServiceBusMessage(
                    body,
                    message_id=message_id,
                    content_type="application/json",
                    application_properties={k: v for k, v in properties.items() if v is not None},
                )
            )

    async def wait_outcomes(
        self, order_ids: set[str], within: float = 30.0, settle: float = 0.0
    ) -> dict[str, list[Any]]:
        """Reads payment-events/order-service until every order has an outcome (then ``settle`` more
        seconds, to catch duplicates); returns every outcome message seen per order."""
        deadline = time.monotonic() + within
        async with self.client.get_subscription_receiver("payment-events", "order-service") as receiver:
            while True:
                done = order_ids <= self.outcomes.keys()
                if done and settle <= 0:
                    break
                if time.monotonic() > deadline:
                    break
                wait = min(1.0, settle) if done else 1.0
                for message in await receiver.receive_messages(max_message_count=20, max_wait_time=wait):
                    self.outcomes.setdefault(str(message.correlation_id), []).append(message)
                    await receiver.complete_message(message)
                if done:
                    settle -= wait
        return {order: self.outcomes.get(order, []) for order in order_ids}

    async def dead_letters(self, message_ids: set[str], within: float = 30.0) -> dict[str, Any]:
        found: dict[str, Any] = {}
        deadline = time.monotonic() + within
        async with self.client.get_queue_receiver(
            "payment-requests", sub_queue=ServiceBusSubQueue.DEAD_LETTER
        ) as dlq:
            while not message_ids <= found.keys() and time.monotonic() < deadline:
                for message in await dlq.receive_messages(max_message_count=20, max_wait_time=1):
                    found[str(message.message_id)] = message
                    await dlq.complete_message(message)
        return found


TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
async def bus(platform: LaunchedPlatform) -> AsyncIterator[Bus]:
    async with ServiceBusClient.from_connection_string(servicebus_connection_string(platform)) as client:
        yield Bus(client)


@dataclass
class Worker:
    process: subprocess.Popen[str]
    log_path: Path

    def log(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_path.read_text().splitlines():
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return lines

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in self.log():
                if predicate(entry):
                    return entry
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"worker log never matched; tail: {self.log_path.read_text()[-2000:]}")


@pytest.fixture
def start_worker(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Starts the real ``payment-worker`` process; every one is stopped at the end of the test."""
    started: list[Worker] = []

    def start(**overrides: str) -> Worker:
        log_path = tmp_path / f"worker-{len(started)}.log"
        with log_path.open("w") as log_file:
            process = subprocess.Popen(
                [str(Path(sys.executable).parent / "payment-worker")],
                env={**os.environ, **env, **overrides},
                stdout=log_file,
                stderr=subprocess.STDOUT,
                text=True,
                cwd=REPO,
            )
        worker = Worker(process, log_path)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
            try:
                worker.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The API app in-process, its clients connected to the session's Azurite and Service Bus."""
    application = create_app(settings)
    yield application
    application.extensions["payment"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def admin_token(settings: Settings, roles: list[str] | None = None) -> str:
    return mint_dev_token(settings, "test-admin", [settings.auth_admin_role] if roles is None else roles)


async def published_payment(ledger: TableLedger, *, succeeded: bool = True) -> Payment:
    """A ledger row as the worker leaves it after publishing."""
    order_id = f"ord_{uuid.uuid4().hex[:10]}"
    created = await ledger.create(
        Payment(
            order_id=order_id,
            payment_id=str(uuid.uuid4()),
            state=PaymentState.CHARGING,
            amount=Money(Decimal("59.97"), "EUR"),
            card_last4="4242",
            created_at=datetime.now(UTC),
        )
    )
    result = (
        ChargeResult(approved=True, authorization_code="AUTH-000001")
        if succeeded
        else ChargeResult(approved=False, failure_reason=FailureReason.DECLINED)
    )
    decided = await ledger.update(created.decided(result, datetime.now(UTC)))
    return await ledger.update(decided.with_state(PaymentState.PUBLISHED))
