"""Shared by the provider tests (the `factory` and `clock` fixtures come from `tests/conftest.py`):
receive modes and namespaces of one queue or one topic."""

from __future__ import annotations

from typing import Any

from servicebus_emulator.model import (
    NamespaceSettings,
    QueueSettings,
    ReceiveMode,
    SubscriptionSettings,
    TopicSettings,
)

PEEK_LOCK = ReceiveMode.PEEK_LOCK
RECEIVE_AND_DELETE = ReceiveMode.RECEIVE_AND_DELETE


def queue_ns(factory: Any, **settings: Any) -> NamespaceSettings:
    """A namespace with queue ``orders``, set up with ``settings``."""
    return factory.namespace(queues=(QueueSettings("orders", **settings),))


def topic_ns(factory: Any, *subscriptions: SubscriptionSettings, **topic_settings: Any) -> NamespaceSettings:
    """A namespace with topic ``events`` and ``subscriptions``, and no queue."""
    return factory.namespace(queues=(), topics=(TopicSettings("events", subscriptions, **topic_settings),))
