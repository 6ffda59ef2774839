"""One Service Bus emulator (real sockets, in-memory store) for the conformance tests, on its own thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from servicebus_emulator.app import Emulator, EmulatorOptions
from servicebus_emulator.filters import DEFAULT_RULE
from servicebus_emulator.model import NamespaceSettings, QueueSettings, SubscriptionSettings, TopicSettings

QUEUES = ["basic", "rad", "abandon", "defer", "dlq", "renew", "schedule", "peek", "async", "dispose"]


def _settings() -> NamespaceSettings:
    queues = [QueueSettings(name=name, lock_duration=30.0, max_delivery_count=2) for name in QUEUES]
    queues.append(
        QueueSettings(name="dups", requires_duplicate_detection=True, duplicate_detection_window=60.0)
    )
    queues.append(QueueSettings(name="small", max_message_size=1024))
    topic = TopicSettings(
        name="events", subscriptions=(SubscriptionSettings(name="audit", rules=(DEFAULT_RULE,)),)
    )
    return NamespaceSettings(name="sbemulatorns", queues=tuple(queues), topics=(topic,))


@pytest.fixture(scope="session")
def emulator_port() -> Iterator[int]:
    loop = asyncio.new_event_loop()
    emulator = Emulator(_settings(), EmulatorOptions(amqp_port=0, http_port=0))
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(emulator.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(30), "emulator did not start"
    assert emulator.amqp_port is not None
    try:
        yield emulator.amqp_port
    finally:
        asyncio.run_coroutine_threadsafe(emulator.close(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


def connection_string(port: int, key: str = "SAS_KEY_VALUE") -> str:
    return (
        f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
        f"SharedAccessKey={key};UseDevelopmentEmulator=true;"
    )


@pytest.fixture
def conn_str(emulator_port: int) -> str:
    return connection_string(emulator_port)
