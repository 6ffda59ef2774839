"""Shared factories for the Service Bus emulator tests: settings, messages, providers on a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
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
