"""Topics: fan-out to subscriptions, correlation filters, scheduled topic messages, TTL and duplicates."""

from __future__ import annotations

from servicebus_emulator.filters import CorrelationFilter, Rule

from .conftest import PEEK_LOCK, RECEIVE_AND_DELETE, topic_ns


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
