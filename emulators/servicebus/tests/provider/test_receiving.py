"""Receiving without sessions: take in both modes, waiting receivers, peek, deferred by number.

Peek follows Azure's "Message browsing" page: active messages locked or not, deferred messages and (on
queues) scheduled ones, in sequence order; dead-lettered ones only in the dead-letter queue; an expired
message only until it is cleaned up."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from servicebus_emulator.errors import MessageNotFoundError
from servicebus_emulator.model import MessageState

from .conftest import PEEK_LOCK, RECEIVE_AND_DELETE, queue_ns, topic_ns

ACTIVE, DEFERRED, SCHEDULED = MessageState.ACTIVE, MessageState.DEFERRED, MessageState.SCHEDULED


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


async def test_peek_shows_locked_messages_and_leaves_their_locks_alone(factory, clock):
    provider = factory.provider(queue_ns(factory, lock_duration=30))
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(str(i).encode()) for i in range(3)])
    first, second = provider.take(orders, PEEK_LOCK, 2)
    clock.advance(5)

    peeked = provider.peek(orders, 0, 10)

    assert [(m.sequence_number, m.encoded) for m in peeked] == [(1, b"0"), (2, b"1"), (3, b"2")]
    assert [m.delivery_count for m in peeked] == [0, 0, 0]
    assert [m.locked_until for m in peeked[:2]] == [first.locked_until, second.locked_until]
    assert provider.is_locked(first.lock_token)
    assert provider.is_locked(second.lock_token)
    # Peeking made nothing available: the next receiver still gets only the unlocked message.
    assert [m.sequence_number for m in provider.take(orders, PEEK_LOCK, 10)] == [3]
    await provider.complete(first.lock_token)
    await provider.abandon(second.lock_token)
    [again] = provider.take(orders, PEEK_LOCK, 1)
    assert (again.sequence_number, again.delivery_count) == (2, 1)
    assert [m.sequence_number for m in provider.peek(orders, 0, 10)] == [2, 3]


async def test_peek_window_counts_locked_messages(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message() for _ in range(5)])
    provider.take(orders, PEEK_LOCK, 3)

    assert [m.sequence_number for m in provider.peek(orders, 2, 2)] == [2, 3]
    assert [m.sequence_number for m in provider.peek(orders, 3, 10)] == [3, 4, 5]
    assert provider.peek(orders, 6, 10) == []
    assert provider.peek(orders, 0, 0) == []


async def test_peek_shows_deferred_messages_whether_or_not_received_again(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(b"a"), factory.message(b"b"), factory.message(b"c")])
    a, b = provider.take(orders, PEEK_LOCK, 2)
    await provider.defer(a.lock_token)
    await provider.defer(b.lock_token)
    [b_locked] = await provider.receive_deferred(orders, [b.sequence_number], PEEK_LOCK)

    peeked = provider.peek(orders, 0, 10)

    assert [(m.sequence_number, m.state) for m in peeked] == [(1, DEFERRED), (2, DEFERRED), (3, ACTIVE)]
    assert [m.delivery_count for m in peeked] == [0, 0, 0]
    await provider.complete(b_locked.lock_token)
    assert [m.sequence_number for m in provider.peek(orders, 0, 10)] == [1, 3]


async def test_queue_peek_shows_scheduled_messages_in_sequence_order(factory, clock):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(b"a")])
    await provider.send(orders, [factory.message(b"later", scheduled_enqueue_time=clock.now() + 60)])
    await provider.send(orders, [factory.message(b"b")])
    provider.take(orders, PEEK_LOCK, 1)

    peeked = provider.peek(orders, 0, 10)

    assert [(m.encoded, m.state) for m in peeked] == [(b"a", ACTIVE), (b"later", SCHEDULED), (b"b", ACTIVE)]
    assert [m.sequence_number for m in peeked] == [1, 2, 3]


async def test_subscription_peek_shows_locked_and_deferred_but_not_topic_scheduled_messages(factory, clock):
    provider = factory.provider(topic_ns(factory, factory.subscription("audit")))
    events = provider.resolve("events")
    audit = provider.resolve("events/Subscriptions/audit")
    await provider.send(events, [factory.message(b"a"), factory.message(b"b")])
    await provider.send(events, [factory.message(b"later", scheduled_enqueue_time=clock.now() + 30)])
    a, b = provider.take(audit, PEEK_LOCK, 2)
    await provider.defer(b.lock_token)

    # Azure: scheduled messages are peeked on queues, not on subscriptions (the topic holds them).
    assert [(m.encoded, m.state) for m in provider.peek(audit, 0, 10)] == [(b"a", ACTIVE), (b"b", DEFERRED)]
    clock.advance(30)
    assert [m.encoded for m in provider.peek(audit, 0, 10)] == [b"a", b"b", b"later"]
    await provider.complete(a.lock_token)


async def test_peek_shows_an_expired_message_only_while_a_lock_keeps_it(factory, clock):
    provider = factory.provider(
        queue_ns(factory, default_message_ttl=60, lock_duration=30, dead_lettering_on_message_expiration=True)
    )
    orders = provider.resolve("orders")
    dlq = provider.resolve("orders/$DeadLetterQueue")
    await provider.send(orders, [factory.message(b"held"), factory.message(b"idle")])
    clock.advance(50)
    provider.take(orders, PEEK_LOCK, 1)

    clock.advance(
        20
    )  # both past their TTL: the idle one is dead-lettered now, the held one when its lock ends
    assert [m.encoded for m in provider.peek(orders, 0, 10)] == [b"held"]
    assert [m.encoded for m in provider.peek(dlq, 0, 10)] == [b"idle"]
    clock.advance(10)
    assert provider.peek(orders, 0, 10) == []
    assert [m.encoded for m in provider.peek(dlq, 0, 10)] == [b"held", b"idle"]


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
