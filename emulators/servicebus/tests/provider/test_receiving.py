"""Receiving without sessions: take in both modes, waiting receivers, peek, deferred by number."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from servicebus_emulator.errors import MessageNotFoundError
from servicebus_emulator.model import MessageState

from .conftest import PEEK_LOCK, RECEIVE_AND_DELETE, queue_ns


async def test_peek_lock_receive_locks_message_for_lock_duration(factory, clock):
    provider = factory.provider(queue_ns(factory, lock_duration=30))
    orders = provider.resolve("orders")
    [result] = await provider.send(orders, [factory.message(b"one", message_id="m1")])

    [received] = provider.take(orders, PEEK_LOCK, 10)

    assert received.sequence_number == result.sequence_number == 1
    assert received.encoded == b"one"
    assert received.message_id == "m1"
    assert isinstance(received.lock_token, uuid.UUID)
    assert received.locked_until == clock.now() + 30
    assert received.delivery_count == 0
    assert provider.take(orders, PEEK_LOCK, 10) == []


async def test_receive_and_delete_removes_message_on_delivery(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(b"x")])

    [received] = provider.take(orders, RECEIVE_AND_DELETE, 1)

    assert received.encoded == b"x"
    assert received.lock_token is None
    assert provider.counts(orders).active == 0


async def test_receive_deferred_rejects_unknown_sequence_number(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])

    with pytest.raises(MessageNotFoundError) as raised:
        await provider.receive_deferred(orders, [1], PEEK_LOCK)
    assert raised.value.sequence_number == 1


async def test_peek_from_sequence_number_includes_every_state(factory, clock):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message() for _ in range(4)])
    await provider.send(orders, [factory.message(scheduled_enqueue_time=clock.now() + 60)])
    [locked] = provider.take(orders, PEEK_LOCK, 1)

    peeked = provider.peek(orders, 2, 10)

    assert [m.sequence_number for m in peeked] == [2, 3, 4, 5]
    assert peeked[-1].state is MessageState.SCHEDULED
    assert [m.sequence_number for m in provider.peek(orders, 0, 2)] == [locked.sequence_number, 2]
    assert provider.counts(orders).locked == 1


async def test_competing_receivers_get_different_messages(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    receivers = [asyncio.create_task(provider.receive(orders, PEEK_LOCK, 1)) for _ in range(3)]
    await asyncio.sleep(0)

    await provider.send(orders, [factory.message(str(i).encode()) for i in range(3)])
    async with asyncio.timeout(5):
        batches = await asyncio.gather(*receivers)

    received = sorted(m.encoded for batch in batches for m in batch)
    assert received == [b"0", b"1", b"2"]


async def test_waiting_receiver_is_woken_by_a_send(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    waiting = asyncio.create_task(provider.receive(orders, PEEK_LOCK, 5))
    await asyncio.sleep(0)
    assert not waiting.done()

    await provider.send(orders, [factory.message(b"hello")])

    async with asyncio.timeout(5):
        [received] = await waiting
    assert received.encoded == b"hello"


async def test_receive_waits_until_cancelled_when_nothing_arrives(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await provider.receive(orders, PEEK_LOCK, 1)
