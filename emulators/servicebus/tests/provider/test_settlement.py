"""Settlement by lock token: complete, abandon, release, renew, lose-lock, defer."""

from __future__ import annotations

import pytest
from servicebus_emulator.errors import MessageLockLostError
from servicebus_emulator.model import MessageState

from .conftest import PEEK_LOCK, RECEIVE_AND_DELETE, defer_and_receive, orders_queue, send_and_lock


async def test_complete_removes_message(factory):
    provider, orders = orders_queue(factory)
    received = await send_and_lock(provider, orders)

    await provider.complete(received.lock_token)

    assert provider.peek(orders, 0, 10) == []
    with pytest.raises(MessageLockLostError):
        await provider.complete(received.lock_token)


async def test_abandon_increments_delivery_count_and_redelivers(factory):
    provider, orders = orders_queue(factory, max_delivery_count=5)
    first = await send_and_lock(provider, orders)

    await provider.abandon(first.lock_token)
    [second] = provider.take(orders, PEEK_LOCK, 1)

    assert second.sequence_number == first.sequence_number
    assert second.delivery_count == 1
    assert second.lock_token != first.lock_token


async def test_renew_lock_extends_lock_from_now(factory, clock):
    provider, orders = orders_queue(factory, lock_duration=30)
    received = await send_and_lock(provider, orders)

    clock.advance(20)
    locked_until = await provider.renew_lock(received.lock_token)
    clock.advance(20)

    assert locked_until == clock.now() + 10
    await provider.complete(received.lock_token)
    assert provider.counts(orders).active == 0


async def test_release_returns_message_without_counting_a_delivery(factory):
    provider, orders = orders_queue(factory)
    first = await send_and_lock(provider, orders)

    await provider.release(first.lock_token)

    [second] = provider.take(orders, PEEK_LOCK, 1)
    assert second.delivery_count == 0


async def test_lose_lock_fault_makes_settlement_fail(factory):
    provider, orders = orders_queue(factory)
    received = await send_and_lock(provider, orders)

    await provider.lose_lock(received.lock_token)

    assert not provider.is_locked(received.lock_token)
    with pytest.raises(MessageLockLostError):
        await provider.complete(received.lock_token)
    [again] = provider.take(orders, PEEK_LOCK, 1)
    assert again.delivery_count == 1


async def test_deferred_message_is_received_by_sequence_number_and_completed(factory):
    provider, orders = orders_queue(factory)
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
    provider, orders = orders_queue(factory)
    received = await send_and_lock(provider, orders)
    deferred = await defer_and_receive(provider, orders, received)

    await provider.abandon(deferred.lock_token)

    assert provider.take(orders, PEEK_LOCK, 1) == []
    [again] = await provider.receive_deferred(orders, [received.sequence_number], RECEIVE_AND_DELETE)
    assert again.delivery_count == 1
    assert provider.counts(orders).deferred == 0
