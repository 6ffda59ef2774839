"""Settlement by lock token: complete, abandon, release, renew, lose-lock, defer."""

from __future__ import annotations

import pytest
from servicebus_emulator.errors import MessageLockLostError
from servicebus_emulator.model import MessageState

from .conftest import PEEK_LOCK, RECEIVE_AND_DELETE, queue_ns


async def test_complete_removes_message(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    [received] = provider.take(orders, PEEK_LOCK, 1)

    await provider.complete(received.lock_token)

    assert provider.peek(orders, 0, 10) == []
    with pytest.raises(MessageLockLostError):
        await provider.complete(received.lock_token)


async def test_abandon_increments_delivery_count_and_redelivers(factory):
    provider = factory.provider(queue_ns(factory, max_delivery_count=5))
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    [first] = provider.take(orders, PEEK_LOCK, 1)

    await provider.abandon(first.lock_token)
    [second] = provider.take(orders, PEEK_LOCK, 1)

    assert second.sequence_number == first.sequence_number
    assert second.delivery_count == 1
    assert second.lock_token != first.lock_token


async def test_renew_lock_extends_lock_from_now(factory, clock):
    provider = factory.provider(queue_ns(factory, lock_duration=30))
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    [received] = provider.take(orders, PEEK_LOCK, 1)

    clock.advance(20)
    locked_until = await provider.renew_lock(received.lock_token)
    clock.advance(20)

    assert locked_until == clock.now() + 10
    await provider.complete(received.lock_token)
    assert provider.counts(orders).active == 0


async def test_release_returns_message_without_counting_a_delivery(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    [first] = provider.take(orders, PEEK_LOCK, 1)

    await provider.release(first.lock_token)

    [second] = provider.take(orders, PEEK_LOCK, 1)
    assert second.delivery_count == 0


async def test_lose_lock_fault_makes_settlement_fail(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    [received] = provider.take(orders, PEEK_LOCK, 1)

    await provider.lose_lock(received.lock_token)

    assert not provider.is_locked(received.lock_token)
    with pytest.raises(MessageLockLostError):
        await provider.complete(received.lock_token)
    [again] = provider.take(orders, PEEK_LOCK, 1)
    assert again.delivery_count == 1


async def test_deferred_message_is_received_by_sequence_number_and_completed(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(b"later"), factory.message(b"now")])
    [first, _] = provider.take(orders, PEEK_LOCK, 2)

    await provider.defer(first.lock_token)

    assert provider.counts(orders).deferred == 1
    assert provider.take(orders, PEEK_LOCK, 5) == []
    [deferred] = await provider.receive_deferred(orders, [first.sequence_number], PEEK_LOCK)
    assert deferred.encoded == b"later"
    assert deferred.state is MessageState.DEFERRED
    await provider.complete(deferred.lock_token)
    assert provider.counts(orders).deferred == 0


async def test_abandoned_deferred_message_stays_deferred(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    [received] = provider.take(orders, PEEK_LOCK, 1)
    await provider.defer(received.lock_token)
    [deferred] = await provider.receive_deferred(orders, [received.sequence_number], PEEK_LOCK)

    await provider.abandon(deferred.lock_token)

    assert provider.take(orders, PEEK_LOCK, 1) == []
    [again] = await provider.receive_deferred(orders, [received.sequence_number], RECEIVE_AND_DELETE)
    assert again.delivery_count == 1
    assert provider.counts(orders).deferred == 0
