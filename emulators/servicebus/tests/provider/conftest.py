"""Shared by the provider tests (the `factory` and `clock` fixtures come from `tests/conftest.py`):
receive modes, namespaces of one queue or one topic, and the steps many tests start with."""

from __future__ import annotations

from typing import Any

from servicebus_emulator.model import (
    BrokerMessage,
    NamespaceSettings,
    QueueSettings,
    ReceiveMode,
    SubscriptionSettings,
    TopicSettings,
)
from servicebus_emulator.provider import ServiceBusProvider, Target

from ..conftest import message

PEEK_LOCK = ReceiveMode.PEEK_LOCK
RECEIVE_AND_DELETE = ReceiveMode.RECEIVE_AND_DELETE


def queue_ns(factory: Any, **settings: Any) -> NamespaceSettings:
    """A namespace with queue ``orders``, set up with ``settings``."""
    return factory.namespace(queues=(QueueSettings("orders", **settings),))


def topic_ns(factory: Any, *subscriptions: SubscriptionSettings, **topic_settings: Any) -> NamespaceSettings:
    """A namespace with topic ``events`` and ``subscriptions``, and no queue."""
    return factory.namespace(queues=(), topics=(TopicSettings("events", subscriptions, **topic_settings),))


def orders_queue(factory: Any, **settings: Any) -> tuple[ServiceBusProvider, Target]:
    """A provider of `queue_ns` (queue ``orders`` set up with ``settings``), and the queue's target."""
    provider = factory.provider(queue_ns(factory, **settings))
    return provider, provider.resolve("orders")


async def send_and_lock(
    provider: ServiceBusProvider, target: Target, body: bytes = b"payload"
) -> BrokerMessage:
    """Send one message to ``target`` and take it in peek-lock mode: the message, locked."""
    await provider.send(target, [message(body)])
    [received] = provider.take(target, PEEK_LOCK, 1)
    return received


async def defer_and_receive(
    provider: ServiceBusProvider, target: Target, received: BrokerMessage
) -> BrokerMessage:
    """Defer the locked ``received`` and receive it again by sequence number (peek-lock)."""
    await provider.defer(received.lock_token)
    [deferred] = await provider.receive_deferred(target, [received.sequence_number], PEEK_LOCK)
    return deferred


async def dead_letter_and_take(
    provider: ServiceBusProvider, dead_letter_queue: Target, received: BrokerMessage
) -> BrokerMessage:
    """Dead-letter the locked ``received`` (no reason) and take it from ``dead_letter_queue`` (peek-lock)."""
    await provider.dead_letter(received.lock_token)
    [dead] = provider.take(dead_letter_queue, PEEK_LOCK, 1)
    return dead
