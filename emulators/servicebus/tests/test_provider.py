from __future__ import annotations

import asyncio
import uuid

import pytest
from servicebus_emulator.errors import (
    EntityNotFoundError,
    InvalidOperationError,
    MessageLockLostError,
    MessageNotFoundError,
    MessageSizeExceededError,
)
from servicebus_emulator.filters import CorrelationFilter, Rule
from servicebus_emulator.model import (
    EntityKind,
    MessageState,
    QueueSettings,
    ReceiveMode,
    SubQueue,
    TopicSettings,
)
from servicebus_emulator.provider import MAX_DELIVERY_COUNT_EXCEEDED, TTL_EXPIRED

PEEK_LOCK = ReceiveMode.PEEK_LOCK
RECEIVE_AND_DELETE = ReceiveMode.RECEIVE_AND_DELETE


def queue_ns(factory, **settings):
    return factory.namespace(queues=(QueueSettings("orders", **settings),))


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


async def test_sequence_numbers_increase_per_entity(factory):
    settings = factory.namespace(queues=(QueueSettings("a"), QueueSettings("b")))
    provider = factory.provider(settings)
    a, b = provider.resolve("a"), provider.resolve("b")

    first = await provider.send(a, [factory.message(), factory.message()])
    second = await provider.send(b, [factory.message()])
    third = await provider.send(a, [factory.message()])

    assert [r.sequence_number for r in first + third] == [1, 2, 3]
    assert [r.sequence_number for r in second] == [1]


async def test_complete_removes_message(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    [received] = provider.take(orders, PEEK_LOCK, 1)

    await provider.complete(received.lock_token)

    assert provider.peek(orders, 0, 10) == []
    with pytest.raises(MessageLockLostError):
        await provider.complete(received.lock_token)


async def test_receive_and_delete_removes_message_on_delivery(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(b"x")])

    [received] = provider.take(orders, RECEIVE_AND_DELETE, 1)

    assert received.encoded == b"x"
    assert received.lock_token is None
    assert provider.counts(orders).active == 0


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


async def test_abandon_at_max_delivery_count_dead_letters(factory):
    provider = factory.provider(queue_ns(factory, max_delivery_count=3))
    orders = provider.resolve("orders")
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


async def test_lock_expiry_redelivers_with_delivery_count_plus_one(factory, clock):
    provider = factory.provider(queue_ns(factory, lock_duration=30))
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    [first] = provider.take(orders, PEEK_LOCK, 1)

    clock.advance(29)
    assert provider.take(orders, PEEK_LOCK, 1) == []
    clock.advance(1)
    [second] = provider.take(orders, PEEK_LOCK, 1)

    assert second.sequence_number == first.sequence_number
    assert second.delivery_count == 1
    with pytest.raises(MessageLockLostError):
        await provider.complete(first.lock_token)


async def test_settling_an_expired_lock_raises_lock_lost(factory, clock):
    provider = factory.provider(queue_ns(factory, lock_duration=30))
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    [received] = provider.take(orders, PEEK_LOCK, 1)

    clock.advance(31)

    with pytest.raises(MessageLockLostError):
        await provider.complete(received.lock_token)
    [again] = provider.take(orders, PEEK_LOCK, 1)
    assert again.delivery_count == 1


async def test_lock_expiry_at_max_delivery_count_dead_letters(factory, clock):
    provider = factory.provider(queue_ns(factory, lock_duration=10, max_delivery_count=1))
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    provider.take(orders, PEEK_LOCK, 1)

    clock.advance(10)
    provider.process_due()

    assert provider.counts(orders).dead_lettered == 1
    [dead] = provider.peek(provider.resolve("orders/$deadletterqueue"), 0, 1)
    assert dead.dead_letter_reason == MAX_DELIVERY_COUNT_EXCEEDED


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


async def test_deferred_message_can_be_dead_lettered(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    [received] = provider.take(orders, PEEK_LOCK, 1)
    await provider.defer(received.lock_token)
    [deferred] = await provider.receive_deferred(orders, [received.sequence_number], PEEK_LOCK)

    await provider.dead_letter(deferred.lock_token, "Poison", "cannot parse")

    counts = provider.counts(orders)
    assert (counts.deferred, counts.dead_lettered) == (0, 1)


async def test_receive_deferred_rejects_unknown_sequence_number(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])

    with pytest.raises(MessageNotFoundError) as raised:
        await provider.receive_deferred(orders, [1], PEEK_LOCK)
    assert raised.value.sequence_number == 1


async def test_dead_letter_queue_is_receivable_peekable_and_completable(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    dlq = provider.resolve("amqps://127.0.0.1:5672/orders/$DeadLetterQueue")
    await provider.send(orders, [factory.message(b"bad")])
    [received] = provider.take(orders, PEEK_LOCK, 1)

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
    provider = factory.provider(queue_ns(factory, max_delivery_count=1))
    orders = provider.resolve("orders")
    dlq = provider.resolve("orders/$DeadLetterQueue")
    await provider.send(orders, [factory.message()])
    [received] = provider.take(orders, PEEK_LOCK, 1)
    await provider.dead_letter(received.lock_token)

    [dead] = provider.take(dlq, PEEK_LOCK, 1)
    await provider.abandon(dead.lock_token)

    assert provider.counts(orders).dead_lettered == 1
    [again] = provider.take(dlq, RECEIVE_AND_DELETE, 1)
    assert again.sequence_number == received.sequence_number


async def test_dead_lettering_twice_is_refused(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")
    dlq = provider.resolve("orders/$DeadLetterQueue")
    await provider.send(orders, [factory.message()])
    [received] = provider.take(orders, PEEK_LOCK, 1)
    await provider.dead_letter(received.lock_token)
    [dead] = provider.take(dlq, PEEK_LOCK, 1)

    with pytest.raises(InvalidOperationError):
        await provider.dead_letter(dead.lock_token)
    with pytest.raises(InvalidOperationError):
        await provider.defer(dead.lock_token)


async def test_expired_message_is_dropped_without_dead_lettering(factory, clock):
    provider = factory.provider(queue_ns(factory, default_message_ttl=60))
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])

    clock.advance(60)

    assert provider.take(orders, PEEK_LOCK, 1) == []
    assert provider.counts(orders) == provider.counts(orders).__class__()


async def test_expired_message_is_dead_lettered_when_enabled(factory, clock):
    settings = queue_ns(factory, default_message_ttl=60, dead_lettering_on_message_expiration=True)
    provider = factory.provider(settings)
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])

    clock.advance(61)
    provider.process_due()

    [dead] = provider.peek(provider.resolve("orders/$DeadLetterQueue"), 0, 1)
    assert dead.dead_letter_reason == TTL_EXPIRED
    assert provider.counts(orders).active == 0


async def test_message_ttl_is_capped_by_entity_default(factory, clock):
    provider = factory.provider(queue_ns(factory, default_message_ttl=60))
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(time_to_live=3600), factory.message(time_to_live=10)])

    [long_lived, short_lived] = provider.peek(orders, 0, 10)
    assert (long_lived.time_to_live, short_lived.time_to_live) == (60, 10)
    clock.advance(10)
    [survivor] = provider.take(orders, RECEIVE_AND_DELETE, 10)
    assert survivor.sequence_number == long_lived.sequence_number


async def test_locked_message_expiring_is_handled_when_its_lock_ends(factory, clock):
    provider = factory.provider(queue_ns(factory, default_message_ttl=60, lock_duration=30))
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    clock.advance(50)
    [received] = provider.take(orders, PEEK_LOCK, 1)

    clock.advance(20)
    await provider.complete(received.lock_token)

    assert provider.counts(orders).active == 0


async def test_scheduled_message_is_invisible_until_due(factory, clock):
    provider = factory.provider()
    orders = provider.resolve("orders")
    due = clock.now() + 120
    [result] = await provider.send(orders, [factory.message(scheduled_enqueue_time=due)])

    assert provider.counts(orders).scheduled == 1
    assert provider.take(orders, PEEK_LOCK, 1) == []
    clock.advance(120)
    [received] = provider.take(orders, PEEK_LOCK, 1)
    assert received.sequence_number == result.sequence_number
    assert received.enqueued_time == due
    assert received.state is MessageState.ACTIVE


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


async def test_waiting_receiver_is_woken_when_a_scheduled_message_comes_due(factory, clock):
    provider = factory.provider()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(scheduled_enqueue_time=clock.now() + 5)])
    waiting = asyncio.create_task(provider.wait_available(orders))
    await asyncio.sleep(0)
    assert not waiting.done()

    clock.advance(5)
    provider.process_due()

    async with asyncio.timeout(5):
        await waiting


async def test_receive_waits_until_cancelled_when_nothing_arrives(factory):
    provider = factory.provider()
    orders = provider.resolve("orders")

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await provider.receive(orders, PEEK_LOCK, 1)


async def test_timer_applies_lock_expiry_in_real_time(factory):
    from emulator_common.clock import SystemClock

    factory.clock = SystemClock()
    provider = factory.provider(queue_ns(factory, lock_duration=0.05))
    provider.start()
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message()])
    provider.take(orders, PEEK_LOCK, 1)

    async with asyncio.timeout(5):
        await provider.wait_available(orders)

    [again] = provider.take(orders, PEEK_LOCK, 1)
    assert again.delivery_count == 1


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


async def test_sending_to_a_subscription_or_dead_letter_queue_is_refused(factory):
    topics = (TopicSettings("events", (factory.subscription("audit"),)),)
    provider = factory.provider(factory.namespace(topics=topics))

    for address in ("events/Subscriptions/audit", "orders/$DeadLetterQueue"):
        with pytest.raises(InvalidOperationError):
            await provider.send(provider.resolve(address), [factory.message()])
    with pytest.raises(InvalidOperationError):
        provider.take(provider.resolve("events"), PEEK_LOCK, 1)


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


# ------------------------------------------------------------------ topics


def topic_ns(factory, *subscriptions, **topic_settings):
    return factory.namespace(queues=(), topics=(TopicSettings("events", subscriptions, **topic_settings),))


async def test_topic_message_is_copied_to_every_subscription_with_default_rule(factory):
    provider = factory.provider(topic_ns(factory, factory.subscription("a"), factory.subscription("b")))
    events = provider.resolve("events")

    [result] = await provider.send(events, [factory.message(b"evt")])

    for name in ("a", "b"):
        [received] = provider.take(provider.resolve(f"events/Subscriptions/{name}"), RECEIVE_AND_DELETE, 5)
        assert received.encoded == b"evt"
        assert received.sequence_number == result.sequence_number


async def test_correlation_filter_routes_on_system_properties(factory):
    paid = Rule("paid", CorrelationFilter(subject="PaymentSucceeded", content_type="application/json"))
    failed = Rule("failed", CorrelationFilter(subject="PaymentFailed"))
    provider = factory.provider(
        topic_ns(factory, factory.subscription("paid", paid), factory.subscription("failed", failed))
    )
    events = provider.resolve("events")

    await provider.send(
        events,
        [
            factory.message(b"ok", subject="PaymentSucceeded", content_type="application/json"),
            factory.message(b"ok-text", subject="PaymentSucceeded", content_type="text/plain"),
            factory.message(b"ko", subject="PaymentFailed"),
        ],
    )

    paid_messages = provider.take(provider.resolve("events/Subscriptions/paid"), RECEIVE_AND_DELETE, 5)
    failed_messages = provider.take(provider.resolve("events/Subscriptions/failed"), RECEIVE_AND_DELETE, 5)
    assert [m.encoded for m in paid_messages] == [b"ok"]
    assert [m.encoded for m in failed_messages] == [b"ko"]


async def test_correlation_filter_routes_on_user_properties_exactly(factory):
    rule = Rule("v1", CorrelationFilter(properties={"type": "PaymentSucceeded", "version": 1}))
    provider = factory.provider(topic_ns(factory, factory.subscription("v1", rule)))
    events = provider.resolve("events")

    await provider.send(
        events,
        [
            factory.message(b"match", properties={"type": "PaymentSucceeded", "version": 1, "extra": "x"}),
            factory.message(b"string-version", properties={"type": "PaymentSucceeded", "version": "1"}),
            factory.message(b"bool-version", properties={"type": "PaymentSucceeded", "version": True}),
            factory.message(b"case", properties={"type": "paymentsucceeded", "version": 1}),
            factory.message(b"missing", properties={"type": "PaymentSucceeded"}),
        ],
    )

    received = provider.take(provider.resolve("events/Subscriptions/v1"), RECEIVE_AND_DELETE, 10)
    assert [m.encoded for m in received] == [b"match"]


async def test_subscription_with_several_rules_gets_a_message_once(factory):
    rules = (
        Rule("by-subject", CorrelationFilter(subject="s")),
        Rule("by-to", CorrelationFilter(to="t")),
    )
    provider = factory.provider(topic_ns(factory, factory.subscription("any", *rules)))

    await provider.send(provider.resolve("events"), [factory.message(subject="s", to="t")])

    assert provider.counts(provider.resolve("events/Subscriptions/any")).active == 1


async def test_topic_message_matching_no_subscription_is_dropped(factory):
    rule = Rule("none", CorrelationFilter(subject="never"))
    provider = factory.provider(topic_ns(factory, factory.subscription("s", rule)))

    [result] = await provider.send(provider.resolve("events"), [factory.message()])

    assert result.sequence_number == 1
    assert provider.counts(provider.resolve("events/Subscriptions/s")).active == 0


async def test_subscriptions_settle_their_copies_independently(factory):
    provider = factory.provider(
        topic_ns(factory, factory.subscription("a", max_delivery_count=1), factory.subscription("b"))
    )
    await provider.send(provider.resolve("events"), [factory.message()])
    a, b = provider.resolve("events/Subscriptions/a"), provider.resolve("events/Subscriptions/b")

    [from_a] = provider.take(a, PEEK_LOCK, 1)
    await provider.abandon(from_a.lock_token)

    assert provider.counts(a).dead_lettered == 1
    assert provider.counts(b).active == 1


async def test_scheduled_topic_message_fans_out_when_due(factory, clock):
    provider = factory.provider(topic_ns(factory, factory.subscription("a"), factory.subscription("b")))
    events = provider.resolve("events")
    [result] = await provider.send(events, [factory.message(scheduled_enqueue_time=clock.now() + 30)])

    assert provider.counts(events).scheduled == 1
    assert provider.take(provider.resolve("events/Subscriptions/a"), PEEK_LOCK, 1) == []
    clock.advance(30)
    provider.process_due()

    assert provider.counts(events).scheduled == 0
    for name in ("a", "b"):
        [received] = provider.take(provider.resolve(f"events/Subscriptions/{name}"), PEEK_LOCK, 1)
        assert received.sequence_number == result.sequence_number


async def test_scheduled_topic_message_can_be_cancelled(factory, clock):
    provider = factory.provider(topic_ns(factory, factory.subscription("a")))
    events = provider.resolve("events")
    [result] = await provider.send(events, [factory.message(scheduled_enqueue_time=clock.now() + 30)])

    await provider.cancel_scheduled(events, [result.sequence_number])
    clock.advance(30)

    assert provider.counts(provider.resolve("events/Subscriptions/a")).active == 0


async def test_subscription_ttl_caps_topic_ttl(factory, clock):
    provider = factory.provider(
        topic_ns(factory, factory.subscription("short", default_message_ttl=10), default_message_ttl=100)
    )
    await provider.send(provider.resolve("events"), [factory.message()])
    short = provider.resolve("events/Subscriptions/short")

    [peeked] = provider.peek(short, 0, 1)
    assert peeked.time_to_live == 10
    clock.advance(10)
    assert provider.take(short, PEEK_LOCK, 1) == []


async def test_topic_duplicate_detection(factory, clock):
    provider = factory.provider(
        topic_ns(
            factory,
            factory.subscription("a"),
            requires_duplicate_detection=True,
            duplicate_detection_window=60,
        )
    )
    events = provider.resolve("events")

    await provider.send(events, [factory.message(message_id="e1")])
    [repeat] = await provider.send(events, [factory.message(message_id="e1")])

    assert repeat.duplicate
    assert provider.counts(provider.resolve("events/Subscriptions/a")).active == 1


async def test_entities_lists_counts_of_every_entity(factory):
    topics = (TopicSettings("events", (factory.subscription("a"),)),)
    provider = factory.provider(factory.namespace(topics=topics))
    await provider.send(provider.resolve("orders"), [factory.message(), factory.message()])

    listed = {e.path: e for e in provider.entities()}

    assert set(listed) == {"orders", "events", "events/Subscriptions/a"}
    assert listed["orders"].counts.active == 2
    assert listed["events/Subscriptions/a"].topic == "events"
