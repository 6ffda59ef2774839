"""Shared factories for the Service Bus emulator tests: settings, messages, providers on a manual clock."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from emulator_common.clock import ManualClock
from emulator_common.testing import ProviderFactory, launched

# Re-exported: the conformance and persistence tests import it from here.
from emulator_common.testing import connection_string as connection_string
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
from servicebus_emulator.store import MemoryStore, SqliteStore

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
PLATFORM_CONFIG = CONFIG_DIR / "platform.json"


@contextmanager
def emulator_process(*args: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    """A running emulator process on free ports and its listening line; killed on exit."""
    with launched("servicebus_emulator.cli", "--amqp-port", "0", "--http-port", "0", *args) as running:
        assert running.process is not None
        yield running.process, running.listening


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


class Factory(ProviderFactory[ServiceBusProvider]):
    """Providers on one manual clock, closed after the test; message, subscription, namespace helpers."""

    message = staticmethod(message)
    subscription = staticmethod(subscription)
    namespace = staticmethod(namespace)

    def __init__(self) -> None:
        super().__init__(
            ManualClock(),
            ServiceBusProvider,
            default_settings=namespace,
            memory_store=MemoryStore,
            sqlite_store=SqliteStore,
        )


@pytest.fixture
async def factory() -> AsyncIterator[Factory]:
    async with Factory() as made:
        yield made


@pytest.fixture
def clock(factory: Factory) -> ManualClock:
    """The clock of the factory's providers: tests advance it instead of sleeping."""
    return factory.clock
