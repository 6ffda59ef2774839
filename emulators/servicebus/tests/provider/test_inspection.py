"""Inspection: purge and the entity list the admin API shows."""

from __future__ import annotations

import pytest
from servicebus_emulator.errors import MessageLockLostError
from servicebus_emulator.model import TopicSettings

from .conftest import PEEK_LOCK


async def test_purge_removes_every_message_of_the_sub_queue(factory, clock):
    provider = factory.provider()
    orders = provider.resolve("orders")
    dlq = provider.resolve("orders/$DeadLetterQueue")
    await provider.send(orders, [factory.message() for _ in range(3)])
    await provider.send(orders, [factory.message(scheduled_enqueue_time=clock.now() + 60)])
    [locked] = provider.take(orders, PEEK_LOCK, 1)
    [to_dlq] = provider.take(orders, PEEK_LOCK, 1)
    await provider.dead_letter(to_dlq.lock_token)

    assert await provider.purge(orders) == 3
    assert provider.counts(orders).as_json() == {
        "active": 0,
        "dead_lettered": 1,
        "scheduled": 0,
        "deferred": 0,
        "locked": 0,
    }
    with pytest.raises(MessageLockLostError):
        await provider.complete(locked.lock_token)
    assert await provider.purge(dlq) == 1


async def test_entities_lists_counts_of_every_entity(factory):
    topics = (TopicSettings("events", (factory.subscription("a"),)),)
    provider = factory.provider(factory.namespace(topics=topics))
    await provider.send(provider.resolve("orders"), [factory.message(), factory.message()])

    listed = {e.path: e for e in provider.entities()}

    assert set(listed) == {"orders", "events", "events/Subscriptions/a"}
    assert listed["orders"].counts.active == 2
    assert listed["events/Subscriptions/a"].topic == "events"
