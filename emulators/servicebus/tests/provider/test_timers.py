"""What time does by itself, on a manual clock: lock expiry, TTL, scheduled messages; and the timer task."""

from __future__ import annotations

import asyncio

import pytest
from servicebus_emulator.errors import MessageLockLostError
from servicebus_emulator.model import MessageState

from .conftest import PEEK_LOCK, RECEIVE_AND_DELETE, orders_queue, send_and_lock


async def test_lock_expiry_redelivers_with_delivery_count_plus_one(factory, clock):
    provider, orders = orders_queue(factory, lock_duration=30)
    first = await send_and_lock(provider, orders)

    clock.advance(29)
    assert provider.take(orders, PEEK_LOCK, 1) == []
    clock.advance(1)
    [second] = provider.take(orders, PEEK_LOCK, 1)

    assert second.sequence_number == first.sequence_number
    assert second.delivery_count == 1
    with pytest.raises(MessageLockLostError):
        await provider.complete(first.lock_token)


async def test_settling_an_expired_lock_raises_lock_lost(factory, clock):
    provider, orders = orders_queue(factory, lock_duration=30)
    received = await send_and_lock(provider, orders)

    clock.advance(31)

    with pytest.raises(MessageLockLostError):
        await provider.complete(received.lock_token)
    [again] = provider.take(orders, PEEK_LOCK, 1)
    assert again.delivery_count == 1


async def test_expired_message_is_dropped_without_dead_lettering(factory, clock):
    provider, orders = orders_queue(factory, default_message_ttl=60)
    await provider.send(orders, [factory.message()])

    clock.advance(60)

    assert provider.take(orders, PEEK_LOCK, 1) == []
    assert provider.counts(orders) == provider.counts(orders).__class__()


async def test_message_ttl_is_capped_by_entity_default(factory, clock):
    provider, orders = orders_queue(factory, default_message_ttl=60)
    await provider.send(orders, [factory.message(time_to_live=3600), factory.message(time_to_live=10)])

    [long_lived, short_lived] = provider.peek(orders, 0, 10)
    assert (long_lived.time_to_live, short_lived.time_to_live) == (60, 10)
    clock.advance(10)
    [survivor] = provider.take(orders, RECEIVE_AND_DELETE, 10)
    assert survivor.sequence_number == long_lived.sequence_number


async def test_locked_message_expiring_is_handled_when_its_lock_ends(factory, clock):
    provider, orders = orders_queue(factory, default_message_ttl=60, lock_duration=30)
    await provider.send(orders, [factory.message()])
    clock.advance(50)
    [received] = provider.take(orders, PEEK_LOCK, 1)

    clock.advance(20)
    await provider.complete(received.lock_token)

    assert provider.counts(orders).active == 0


async def test_scheduled_message_is_invisible_until_due(factory, clock):
    provider, orders = orders_queue(factory)
    due = clock.now() + 120
    [result] = await provider.send(orders, [factory.message(scheduled_enqueue_time=due)])

    assert provider.counts(orders).scheduled == 1
    assert provider.take(orders, PEEK_LOCK, 1) == []
    clock.advance(120)
    [received] = provider.take(orders, PEEK_LOCK, 1)
    assert received.sequence_number == result.sequence_number
    assert received.enqueued_time == due
    assert received.state is MessageState.ACTIVE


async def test_waiting_receiver_is_woken_when_a_scheduled_message_comes_due(factory, clock):
    provider, orders = orders_queue(factory)
    await provider.send(orders, [factory.message(scheduled_enqueue_time=clock.now() + 5)])
    waiting = asyncio.create_task(provider.wait_available(orders))
    await asyncio.sleep(0)
    assert not waiting.done()

    clock.advance(5)
    provider.process_due()

    async with asyncio.timeout(5):
        await waiting


async def test_timer_applies_lock_expiry_in_real_time(factory):
    from emulator_common.clock import SystemClock

    factory.clock = SystemClock()
    provider, orders = orders_queue(factory, lock_duration=0.05)
    provider.start()
    await send_and_lock(provider, orders)

    async with asyncio.timeout(5):
        await provider.wait_available(orders)

    [again] = provider.take(orders, PEEK_LOCK, 1)
    assert again.delivery_count == 1
