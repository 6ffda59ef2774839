"""Dead-lettering: MaxDeliveryCount, explicit dead-lettering, the dead-letter queue, expiry."""

from __future__ import annotations

import pytest
from servicebus_emulator.errors import InvalidOperationError
from servicebus_emulator.model import MessageState, SubQueue
from servicebus_emulator.provider import MAX_DELIVERY_COUNT_EXCEEDED, TTL_EXPIRED

from .conftest import (
    PEEK_LOCK,
    RECEIVE_AND_DELETE,
    dead_letter_and_take,
    defer_and_receive,
    orders_queue,
    send_and_lock,
)


async def test_abandon_at_max_delivery_count_dead_letters(factory):
    provider, orders = orders_queue(factory, max_delivery_count=3)
    await provider.send(orders, [factory.message()])

    for _ in range(3):
        [received] = provider.take(orders, PEEK_LOCK, 1)
        await provider.abandon(received.lock_token)

    assert provider.take(orders, PEEK_LOCK, 1) == []
    [dead] = provider.take(provider.resolve("orders/$DeadLetterQueue"), PEEK_LOCK, 1)
    assert dead.state is MessageState.DEAD_LETTERED
    assert dead.dead_letter_reason == MAX_DELIVERY_COUNT_EXCEEDED
    assert dead.dead_letter_description == "Message could not be consumed after 3 delivery attempts."
    assert dead.delivery_count == 3


async def test_lock_expiry_at_max_delivery_count_dead_letters(factory, clock):
    provider, orders = orders_queue(factory, lock_duration=10, max_delivery_count=1)
    await send_and_lock(provider, orders)

    clock.advance(10)
    provider.process_due()

    assert provider.counts(orders).dead_lettered == 1
    [dead] = provider.peek(provider.resolve("orders/$deadletterqueue"), 0, 1)
    assert dead.dead_letter_reason == MAX_DELIVERY_COUNT_EXCEEDED


async def test_deferred_message_can_be_dead_lettered(factory):
    provider, orders = orders_queue(factory)
    received = await send_and_lock(provider, orders)
    deferred = await defer_and_receive(provider, orders, received)

    await provider.dead_letter(deferred.lock_token, "Poison", "cannot parse")

    counts = provider.counts(orders)
    assert (counts.deferred, counts.dead_lettered) == (0, 1)


async def test_dead_letter_queue_is_receivable_peekable_and_completable(factory):
    provider, orders = orders_queue(factory)
    dlq = provider.resolve("amqps://127.0.0.1:5672/orders/$DeadLetterQueue")
    received = await send_and_lock(provider, orders, b"bad")

    await provider.dead_letter(received.lock_token, "Poison", "cannot parse order")

    assert dlq.sub_queue is SubQueue.DEAD_LETTER
    [peeked] = provider.peek(dlq, 0, 10)
    assert (peeked.dead_letter_reason, peeked.dead_letter_description) == ("Poison", "cannot parse order")
    assert peeked.dead_letter_source == "orders"
    assert provider.peek(orders, 0, 10) == []
    [dead] = provider.take(dlq, PEEK_LOCK, 1)
    assert dead.encoded == b"bad"
    await provider.complete(dead.lock_token)
    assert provider.counts(orders).dead_lettered == 0


async def test_abandoned_dead_letter_goes_back_to_the_dead_letter_queue(factory):
    provider, orders = orders_queue(factory, max_delivery_count=1)
    dlq = provider.resolve("orders/$DeadLetterQueue")
    received = await send_and_lock(provider, orders)
    dead = await dead_letter_and_take(provider, dlq, received)

    await provider.abandon(dead.lock_token)

    assert provider.counts(orders).dead_lettered == 1
    [again] = provider.take(dlq, RECEIVE_AND_DELETE, 1)
    assert again.sequence_number == received.sequence_number


async def test_dead_lettering_twice_is_refused(factory):
    provider, orders = orders_queue(factory)
    dlq = provider.resolve("orders/$DeadLetterQueue")
    received = await send_and_lock(provider, orders)
    dead = await dead_letter_and_take(provider, dlq, received)

    with pytest.raises(InvalidOperationError):
        await provider.dead_letter(dead.lock_token)
    with pytest.raises(InvalidOperationError):
        await provider.defer(dead.lock_token)


async def test_expired_message_is_dead_lettered_when_enabled(factory, clock):
    provider, orders = orders_queue(
        factory, default_message_ttl=60, dead_lettering_on_message_expiration=True
    )
    await provider.send(orders, [factory.message()])

    clock.advance(61)
    provider.process_due()

    [dead] = provider.peek(provider.resolve("orders/$DeadLetterQueue"), 0, 1)
    assert dead.dead_letter_reason == TTL_EXPIRED
    assert provider.counts(orders).active == 0
