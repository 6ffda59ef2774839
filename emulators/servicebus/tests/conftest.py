"""Shared factories for the Service Bus emulator tests: settings, messages, providers on a manual clock."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from emulator_common.clock import ManualClock
from servicebus_emulator.filters import DEFAULT_RULE, Rule
from servicebus_emulator.model import (
    IncomingMessage,
    NamespaceSettings,
    PropertyValue,
    QueueSettings,
    SubscriptionSettings,
    TopicSettings,
)
from servicebus_emulator.provider import ServiceBusProvider
from servicebus_emulator.store import MemoryStore, SqliteStore, Store

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
PLATFORM_CONFIG = CONFIG_DIR / "platform.json"


def start_emulator_process(*args: str) -> subprocess.Popen[str]:
    """``servicebus-emulator ARGS`` as a child process (stdout: JSON log lines)."""
    return subprocess.Popen(
        [sys.executable, "-m", "servicebus_emulator.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def listening_line(process: subprocess.Popen[str], timeout: float = 30) -> dict[str, Any]:
    """The emulator's ``listening`` log entry (bound ports), read from its stdout."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        assert line, f"emulator exited: {process.wait()} {process.stderr.read() if process.stderr else ''}"
        entry: dict[str, Any] = json.loads(line)
        if entry.get("event") == "listening":
            return entry
    raise AssertionError("no listening line")


def stop_process(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@contextmanager
def emulator_process(*args: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    """A running emulator process on free ports and its listening line; killed on exit."""
    process = start_emulator_process("--amqp-port", "0", "--http-port", "0", *args)
    try:
        yield process, listening_line(process)
    finally:
        stop_process(process)


def connection_string(port: int, key: str = "SAS_KEY_VALUE") -> str:
    return (
        f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
        f"SharedAccessKey={key};UseDevelopmentEmulator=true;"
    )


def message(
    body: bytes = b"payload",
    *,
    message_id: str | None = None,
    properties: Mapping[str, PropertyValue] | None = None,
    **fields: Any,
) -> IncomingMessage:
    return IncomingMessage(
        encoded=body, message_id=message_id, application_properties=dict(properties or {}), **fields
    )


def subscription(name: str, *rules: Rule, **settings: Any) -> SubscriptionSettings:
    return SubscriptionSettings(name=name, rules=rules or (DEFAULT_RULE,), **settings)


def namespace(
    queues: tuple[QueueSettings, ...] = (QueueSettings("orders"),), topics: tuple[TopicSettings, ...] = ()
) -> NamespaceSettings:
    return NamespaceSettings(name="sbemulatorns", queues=queues, topics=topics)


class Factory:
    """Builds providers on a shared manual clock and closes them after the test."""

    message = staticmethod(message)
    subscription = staticmethod(subscription)
    namespace = staticmethod(namespace)

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.providers: list[ServiceBusProvider] = []

    def provider(
        self, settings: NamespaceSettings | None = None, store: Store | None = None
    ) -> ServiceBusProvider:
        provider = ServiceBusProvider(settings or namespace(), store or MemoryStore(), self.clock)
        self.providers.append(provider)
        return provider

    def sqlite_provider(
        self, directory: Path, settings: NamespaceSettings | None = None
    ) -> ServiceBusProvider:
        return self.provider(settings, SqliteStore(directory))

    async def close(self, provider: ServiceBusProvider) -> None:
        self.providers.remove(provider)
        await provider.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def factory(clock: ManualClock) -> AsyncIterator[Factory]:
    made = Factory(clock)
    yield made
    for provider in list(made.providers):
        await provider.close()
