"""Addressing: every address form the AMQP layer and the admin API pass in."""

from __future__ import annotations

import pytest
from servicebus_emulator.errors import EntityNotFoundError
from servicebus_emulator.model import EntityKind, SubQueue, TopicSettings


async def test_resolve_accepts_every_address_form(factory):
    topics = (TopicSettings("events", (factory.subscription("audit"),)),)
    provider = factory.provider(factory.namespace(topics=topics))

    assert provider.resolve("ORDERS").path == "orders"
    assert provider.resolve("amqps://127.0.0.1:5672/orders").kind is EntityKind.QUEUE
    sub = provider.resolve("sb://host/events/subscriptions/AUDIT/$DeadLetterQueue")
    assert (sub.path, sub.kind, sub.sub_queue) == (
        "events/Subscriptions/audit",
        EntityKind.SUBSCRIPTION,
        SubQueue.DEAD_LETTER,
    )
    assert provider.resolve("events").kind is EntityKind.TOPIC
    for unknown in ("nope", "events/$DeadLetterQueue", "events/Subscriptions/nope"):
        with pytest.raises(EntityNotFoundError):
            provider.resolve(unknown)
