"""One Service Bus emulator (real sockets, in-memory store) for the conformance tests, on its own thread.

Each test uses entities of its own, so tests never see each other's messages or fault rules.
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from azure.servicebus import (
    ServiceBusClient,
    ServiceBusMessage,
    ServiceBusReceivedMessage,
    ServiceBusReceiver,
)
from azure.servicebus import aio as sb_aio
from servicebus_emulator.app import Emulator, EmulatorOptions
from servicebus_emulator.filters import DEFAULT_RULE, CorrelationFilter, Rule
from servicebus_emulator.model import NamespaceSettings, QueueSettings, SubscriptionSettings, TopicSettings
from servicebus_emulator.sql import parse_action, parse_filter

from ..conftest import connection_string

QUEUES = [
    "basic",
    "rad",
    "abandon",
    "defer",
    "dlq",
    "renew",
    "schedule",
    "peek",
    "batch",
    "async",
    "async-settle",
    "async-dlq",
    "async-schedule",
    "async-dlq-many",
    "forward-errors",
    "forward-archive",
    "peek-locked",
    "peek-states",
    "async-peek-locked",
    "async-dlq-stress",
]
FAULT_QUEUES = [
    "busy",
    "detach",
    "latency",
    "drop",
    "lost-lock",
    "renew-lost",
    "duplicate",
    "duplicate-waiting",
    "chance",
    "listed",
]
SESSION_QUEUES = [
    "session-fifo",
    "session-next",
    "session-exclusive",
    "session-state",
    "session-expiry",
    "session-plain",
    "async-session-fifo",
    "async-session-next",
    "async-session-exclusive",
    "async-session-state",
]
SESSION_LOCK = 2.0
"""Session lock of the session queues: expiry tests wait a little over it."""
# Short lock and TTL so expiry tests wait about a second, not the defaults' minute and hour.
SHORT_LOCK = 1.0
SHORT_TTL = 0.5


def _settings() -> NamespaceSettings:
    queues = [QueueSettings(name=name, lock_duration=30.0, max_delivery_count=2) for name in QUEUES]
    queues += [QueueSettings(name=f"faults-{name}", lock_duration=30.0) for name in FAULT_QUEUES]
    queues += [
        QueueSettings(name="dups", requires_duplicate_detection=True, duplicate_detection_window=60.0),
        QueueSettings(name="small", max_message_size=1024),
        QueueSettings(name="retries", lock_duration=30.0, max_delivery_count=2),
        QueueSettings(name="expiring-lock", lock_duration=SHORT_LOCK, max_delivery_count=5),
        QueueSettings(name="ttl", default_message_ttl=SHORT_TTL, dead_lettering_on_message_expiration=True),
        QueueSettings(name="ttl-dropped", default_message_ttl=SHORT_TTL),
        QueueSettings(name="async-dups", requires_duplicate_detection=True, duplicate_detection_window=60.0),
        QueueSettings(name="async-retries", lock_duration=SHORT_LOCK, max_delivery_count=2),
        QueueSettings(
            name="async-ttl", default_message_ttl=SHORT_TTL, dead_lettering_on_message_expiration=True
        ),
    ]
    queues += [
        QueueSettings(name="forward-in", forward_to="sql-events"),
        QueueSettings(
            name="forward-dlq", max_delivery_count=1, forward_dead_lettered_messages_to="forward-errors"
        ),
    ]
    queues += [
        QueueSettings(name=name, requires_session=True, lock_duration=SESSION_LOCK, max_delivery_count=5)
        for name in SESSION_QUEUES
    ]
    paid = Rule("paid", CorrelationFilter(subject="PaymentSucceeded", properties={"version": "1"}))
    gold = Rule(
        "gold",
        parse_filter("amount > 100 AND sys.Label = 'order'"),
        parse_action("SET tier = 'gold'; SET sys.Label = 'vip'; REMOVE internal"),
    )
    sql_subscriptions = (
        SubscriptionSettings(name="gold", rules=(gold,)),
        SubscriptionSettings(
            name="archive", rules=(Rule("all", parse_filter("1=1")),), forward_to="forward-archive"
        ),
    )
    subscriptions = (
        SubscriptionSettings(name="audit", rules=(DEFAULT_RULE,)),
        SubscriptionSettings(name="paid-only", rules=(paid,)),
    )
    session_subscriptions = (
        SubscriptionSettings(
            name="by-session", rules=(DEFAULT_RULE,), requires_session=True, lock_duration=SESSION_LOCK
        ),
    )
    peek_subscriptions = (SubscriptionSettings(name="all", rules=(DEFAULT_RULE,), lock_duration=30.0),)
    topics = (
        TopicSettings(name="peek-events", subscriptions=peek_subscriptions),
        TopicSettings(name="session-events", subscriptions=session_subscriptions),
        TopicSettings(name="events", subscriptions=subscriptions),
        TopicSettings(name="async-events", subscriptions=subscriptions),
        TopicSettings(name="sql-events", subscriptions=sql_subscriptions),
        TopicSettings(name="async-dlq-stress-events", subscriptions=subscriptions),
    )
    return NamespaceSettings(name="sbemulatorns", queues=tuple(queues), topics=topics)


@dataclass(frozen=True)
class RunningEmulator:
    amqp_port: int
    http_port: int

    def connection_string(self, key: str = "SAS_KEY_VALUE") -> str:
        return connection_string(self.amqp_port, key)

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the admin HTTP API; returns the decoded JSON answer (None when empty)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.http_port}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        created: dict[str, Any] = self.admin("POST", "/faults", rule)
        return created


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    loop = asyncio.new_event_loop()
    running = Emulator(_settings(), EmulatorOptions(amqp_port=0, http_port=0, fault_seed=7))
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(running.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(30), "emulator did not start"
    assert running.amqp_port is not None
    assert running.http_port is not None
    try:
        yield RunningEmulator(running.amqp_port, running.http_port)
    finally:
        asyncio.run_coroutine_threadsafe(running.close(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


@pytest.fixture
def emulator_port(emulator: RunningEmulator) -> int:
    return emulator.amqp_port


@pytest.fixture
def faults(emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    """The emulator, with every fault rule removed after the test."""
    yield emulator
    emulator.admin("DELETE", "/faults")


@pytest.fixture
def conn_str(emulator_port: int) -> str:
    return connection_string(emulator_port)


@pytest.fixture
def client(conn_str: str) -> Iterator[ServiceBusClient]:
    """A sync client of the emulator (the SDK's default retries), closed after the test."""
    with ServiceBusClient.from_connection_string(conn_str) as made:
        yield made


Messages = ServiceBusMessage | list[ServiceBusMessage]
"""One message, or a list the SDK sends as one batch."""


def send(client: ServiceBusClient, queue: str, messages: Messages) -> None:
    """Send ``messages`` to ``queue`` on a sender of their own."""
    with client.get_queue_sender(queue) as sender:
        sender.send_messages(messages)


@contextmanager
def received_one(
    client: ServiceBusClient, queue: str, message: ServiceBusMessage
) -> Iterator[tuple[ServiceBusReceiver, ServiceBusReceivedMessage]]:
    """`send` ``message`` to ``queue``, then yield a peek-lock receiver on it with the one message it received
    (waiting up to 5 s); the receiver closes when the block ends."""
    send(client, queue, message)
    with client.get_queue_receiver(queue) as receiver:
        [received] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        yield receiver, received


async def send_async(client: sb_aio.ServiceBusClient, queue: str, messages: Messages) -> None:
    """`send` with the asyncio client."""
    async with client.get_queue_sender(queue) as sender:
        await sender.send_messages(messages)


def receive_until(
    receiver: ServiceBusReceiver, count: int, ask: int | None = None
) -> list[ServiceBusReceivedMessage]:
    """Receive until ``count`` messages have come, asking for ``ask`` (default ``count``) at a time, each
    batch waiting up to 5 s; a batch that comes back empty fails the test."""
    received: list[ServiceBusReceivedMessage] = []
    while len(received) < count:
        batch = receiver.receive_messages(max_message_count=ask or count, max_wait_time=5)
        assert batch, f"{len(received)} of {count} messages came"
        received.extend(batch)
    return received


async def receive_until_async(
    receiver: sb_aio.ServiceBusReceiver, count: int, ask: int | None = None
) -> list[ServiceBusReceivedMessage]:
    """`receive_until` with the asyncio client."""
    received: list[ServiceBusReceivedMessage] = []
    while len(received) < count:
        batch = await receiver.receive_messages(max_message_count=ask or count, max_wait_time=5)
        assert batch, f"{len(received)} of {count} messages came"
        received.extend(batch)
    return received
