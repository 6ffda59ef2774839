"""Sending: sequence numbers, duplicate detection, size limit, message ids, refusals, cancelling."""

from __future__ import annotations

import pytest
from servicebus_emulator.errors import InvalidOperationError, MessageNotFoundError, MessageSizeExceededError
from servicebus_emulator.model import QueueSettings, TopicSettings

from .conftest import PEEK_LOCK, RECEIVE_AND_DELETE, queue_ns


async def test_sequence_numbers_increase_per_entity(factory):
    settings = factory.namespace(queues=(QueueSettings("a"), QueueSettings("b")))
    provider = factory.provider(settings)
    a, b = provider.resolve("a"), provider.resolve("b")

    first = await provider.send(a, [factory.message(), factory.message()])
    second = await provider.send(b, [factory.message()])
    third = await provider.send(a, [factory.message()])

    assert [r.sequence_number for r in first + third] == [1, 2, 3]
    assert [r.sequence_number for r in second] == [1]


async def test_cancel_scheduled_message(factory, clock):
    provider = factory.provider()
    orders = provider.resolve("orders")
    [result] = await provider.send(orders, [factory.message(scheduled_enqueue_time=clock.now() + 60)])

    await provider.cancel_scheduled(orders, [result.sequence_number])

    clock.advance(60)
    assert provider.take(orders, PEEK_LOCK, 1) == []
    assert provider.counts(orders).scheduled == 0


async def test_cancel_scheduled_rejects_a_message_that_is_not_scheduled(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    [result] = await provider.send(orders, [factory.message()])

    with pytest.raises(MessageNotFoundError):
        await provider.cancel_scheduled(orders, [result.sequence_number])
    assert provider.counts(orders).active == 1


async def test_duplicate_message_id_within_window_is_dropped(factory, clock):
    settings = queue_ns(factory, requires_duplicate_detection=True, duplicate_detection_window=600)
    provider = factory.provider(settings)
    orders = provider.resolve("orders")

    [first] = await provider.send(orders, [factory.message(message_id="order-1")])
    clock.advance(599)
    [repeat] = await provider.send(orders, [factory.message(message_id="order-1")])

    assert first.sequence_number == 1
    assert not first.duplicate
    assert repeat.duplicate
    assert repeat.sequence_number is None
    assert provider.counts(orders).active == 1


async def test_duplicate_message_id_after_window_is_accepted(factory, clock):
    settings = queue_ns(factory, requires_duplicate_detection=True, duplicate_detection_window=600)
    provider = factory.provider(settings)
    orders = provider.resolve("orders")

    await provider.send(orders, [factory.message(message_id="order-1")])
    clock.advance(600)
    [again] = await provider.send(orders, [factory.message(message_id="order-1")])

    assert not again.duplicate
    assert provider.counts(orders).active == 2


async def test_duplicate_detection_is_off_unless_required(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")

    await provider.send(orders, [factory.message(message_id="same"), factory.message(message_id="same")])

    assert provider.counts(orders).active == 2


async def test_message_over_max_size_is_refused(factory):
    provider = factory.provider(queue_ns(factory, max_message_size=1024))
    orders = provider.resolve("orders")

    await provider.send(orders, [factory.message(b"x" * 1024)])
    with pytest.raises(MessageSizeExceededError) as raised:
        await provider.send(orders, [factory.message(b"x" * 1025)])

    assert (raised.value.size, raised.value.limit) == (1025, 1024)
    assert provider.max_message_size(orders) == 1024
    assert provider.counts(orders).active == 1


async def test_broker_assigns_message_id_when_sender_sets_none(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(), factory.message(message_id="given")])

    [assigned, given] = provider.take(orders, RECEIVE_AND_DELETE, 2)

    assert assigned.message_id
    assert assigned.message_id_assigned
    assert given.message_id == "given"
    assert not given.message_id_assigned


async def test_sending_to_a_subscription_or_dead_letter_queue_is_refused(factory):
    topics = (TopicSettings("events", (factory.subscription("audit"),)),)
    provider = factory.provider(factory.namespace(topics=topics))

    for address in ("events/Subscriptions/audit", "orders/$DeadLetterQueue"):
        with pytest.raises(InvalidOperationError):
            await provider.send(provider.resolve(address), [factory.message()])
    with pytest.raises(InvalidOperationError):
        provider.take(provider.resolve("events"), PEEK_LOCK, 1)
