"""Subscription rules with SQL filters and actions, through the provider (one copy per rule with action)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from servicebus_emulator.filters import CorrelationFilter, Rule
from servicebus_emulator.model import QueueSettings, ReceiveMode, TopicSettings
from servicebus_emulator.provider import FILTER_EVALUATION_FAILED
from servicebus_emulator.routing import RULE_NAME_PROPERTY, route
from servicebus_emulator.sql import parse_action, parse_filter

from .conftest import message

RECEIVE_AND_DELETE = ReceiveMode.RECEIVE_AND_DELETE


def sql(name: str, expression: str, action: str | None = None) -> Rule:
    return Rule(name, parse_filter(expression), parse_action(action) if action else None)


def topic(factory, *subscriptions):
    return factory.namespace(queues=(), topics=(TopicSettings("events", subscriptions),))


async def test_sql_filter_routes_on_user_and_system_properties(factory):
    rule = sql("big", "amount >= 10 AND sys.Label LIKE 'Pay%'")
    provider = factory.provider(topic(factory, factory.subscription("big", rule)))

    await provider.send(
        provider.resolve("events"),
        [
            factory.message(b"yes", subject="PaymentSucceeded", properties={"amount": 10}),
            factory.message(b"small", subject="PaymentSucceeded", properties={"amount": 9.5}),
            factory.message(b"label", subject="Refund", properties={"amount": 50}),
            factory.message(b"missing", subject="PaymentSucceeded"),
        ],
    )

    received = provider.take(provider.resolve("events/Subscriptions/big"), RECEIVE_AND_DELETE, 10)
    assert [m.encoded for m in received] == [b"yes"]


async def test_action_is_applied_to_the_subscription_copy_only(factory):
    rule = sql("tag", "1=1", "SET tier = 'gold'; SET sys.Label = 'routed'; REMOVE secret")
    provider = factory.provider(
        topic(factory, factory.subscription("tagged", rule), factory.subscription("raw"))
    )

    await provider.send(
        provider.resolve("events"), [factory.message(subject="orig", properties={"secret": 1})]
    )

    [tagged] = provider.take(provider.resolve("events/Subscriptions/tagged"), RECEIVE_AND_DELETE, 5)
    [raw] = provider.take(provider.resolve("events/Subscriptions/raw"), RECEIVE_AND_DELETE, 5)
    assert tagged.subject == "routed"
    assert tagged.application_properties == {"tier": "gold", RULE_NAME_PROPERTY: "tag"}
    assert tagged.properties_rewritten
    assert (raw.subject, raw.application_properties, raw.properties_rewritten) == (
        "orig",
        {"secret": 1},
        False,
    )


async def test_each_matching_rule_with_an_action_yields_its_own_copy(factory):
    rules = (
        sql("plain-1", "1=1"),
        Rule("plain-2", CorrelationFilter(subject="s")),
        sql("a", "1=1", "SET via = 'a'"),
        sql("b", "1=1", "SET via = 'b'"),
        sql("c", "1=0", "SET via = 'c'"),
    )
    provider = factory.provider(topic(factory, factory.subscription("five", *rules)))

    [result] = await provider.send(provider.resolve("events"), [factory.message(subject="s")])

    received = provider.take(provider.resolve("events/Subscriptions/five"), RECEIVE_AND_DELETE, 10)
    assert [m.application_properties.get("via") for m in received] == [None, "a", "b"]
    assert received[0].sequence_number == result.sequence_number
    assert len({m.sequence_number for m in received}) == 3


async def test_filter_that_fails_dead_letters_the_copy_by_default(factory):
    provider = factory.provider(
        topic(
            factory,
            factory.subscription("strict", sql("div", "10 / zero = 1")),
            factory.subscription(
                "lenient", sql("div", "10 / zero = 1"), dead_lettering_on_filter_evaluation_exceptions=False
            ),
        )
    )

    await provider.send(provider.resolve("events"), [factory.message(properties={"zero": 0})])

    [dead] = provider.take(
        provider.resolve("events/Subscriptions/strict/$DeadLetterQueue"), RECEIVE_AND_DELETE, 5
    )
    assert dead.dead_letter_reason == FILTER_EVALUATION_FAILED
    assert "rule 'div'" in (dead.dead_letter_description or "")
    assert provider.counts(provider.resolve("events/Subscriptions/lenient")).dead_lettered == 0
    assert provider.counts(provider.resolve("events/Subscriptions/lenient")).active == 0


async def test_action_that_fails_dead_letters_the_copy(factory):
    rule = sql("bad", "1=1", "SET sys.To = 1")
    provider = factory.provider(topic(factory, factory.subscription("s", rule)))

    await provider.send(provider.resolve("events"), [factory.message()])

    counts = provider.counts(provider.resolve("events/Subscriptions/s"))
    assert (counts.active, counts.dead_lettered) == (0, 1)


_RULES = st.lists(
    st.tuples(st.sampled_from(["1=1", "1=0", "n > 2", "n IS NULL", "1/n = 1"]), st.booleans()),
    min_size=1,
    max_size=5,
)


@settings(max_examples=100, deadline=None)
@given(rules=_RULES, n=st.one_of(st.none(), st.integers(-3, 5)))
def test_copies_are_one_for_plain_matches_plus_one_per_matching_action(rules, n):
    built = tuple(
        sql(f"r{i}", expr, "SET x = 1" if with_action else None)
        for i, (expr, with_action) in enumerate(rules)
    )
    probe = message(properties={} if n is None else {"n": n})

    outcome = route(built, probe)

    verdicts = [rule.filter.matches(probe) for rule in built]
    plain = any(v and rule.action is None for v, rule in zip(verdicts, built, strict=True))
    with_actions = [
        rule.name for v, rule in zip(verdicts, built, strict=True) if v and rule.action is not None
    ]
    assert [c.rule for c in outcome.copies] == ([None] if plain else []) + with_actions
    assert (outcome.failure is not None) == (n == 0 and any(expr == "1/n = 1" for expr, _ in rules))


def forwarding_ns(factory, **orders):
    queues = (
        QueueSettings("orders", **orders),
        QueueSettings("archive"),
        QueueSettings("errors"),
    )
    rule = sql("big", "amount > 10")
    topics = (
        TopicSettings(
            "events",
            (
                factory.subscription("big", rule, forward_to="archive"),
                factory.subscription("audit"),
            ),
        ),
    )
    return factory.namespace(queues=queues, topics=topics)


async def test_forward_to_moves_each_message_on_arrival(factory):
    provider = factory.provider(forwarding_ns(factory, forward_to="events"))

    await provider.send(provider.resolve("orders"), [factory.message(b"big", properties={"amount": 11})])

    assert provider.counts(provider.resolve("orders")).active == 0
    assert provider.counts(provider.resolve("events/Subscriptions/big")).active == 0
    [archived] = provider.take(provider.resolve("archive"), RECEIVE_AND_DELETE, 5)
    [audited] = provider.take(provider.resolve("events/Subscriptions/audit"), RECEIVE_AND_DELETE, 5)
    assert archived.encoded == audited.encoded == b"big"
    assert archived.entity == "archive"


async def test_scheduled_message_is_forwarded_when_due(factory, clock):
    provider = factory.provider(forwarding_ns(factory, forward_to="archive"))

    await provider.send(
        provider.resolve("orders"), [factory.message(scheduled_enqueue_time=clock.now() + 10)]
    )
    assert provider.counts(provider.resolve("orders")).scheduled == 1
    clock.advance(11)
    provider.process_due()

    assert provider.counts(provider.resolve("orders")).scheduled == 0
    assert provider.counts(provider.resolve("archive")).active == 1


async def test_dead_lettered_messages_are_forwarded_with_their_reason(factory):
    provider = factory.provider(forwarding_ns(factory, forward_dead_lettered_messages_to="errors"))
    orders = provider.resolve("orders")
    await provider.send(orders, [factory.message(b"poison")])

    [locked] = provider.take(orders, ReceiveMode.PEEK_LOCK, 1)
    assert locked.lock_token is not None
    await provider.dead_letter(locked.lock_token, "bad", "cannot parse")

    assert provider.counts(orders).dead_lettered == 0
    [moved] = provider.take(provider.resolve("errors"), RECEIVE_AND_DELETE, 5)
    assert (moved.encoded, moved.dead_letter_reason, moved.dead_letter_description) == (
        b"poison",
        "bad",
        "cannot parse",
    )
    assert moved.dead_letter_source == "orders"
    assert moved.delivery_count == 0


async def test_forwarding_stops_after_four_hops(factory):
    queues = (*(QueueSettings(f"q{i}", forward_to=f"q{i + 1}") for i in range(5)), QueueSettings("q5"))
    provider = factory.provider(factory.namespace(queues=queues))

    await provider.send(provider.resolve("q0"), [factory.message()])

    assert provider.counts(provider.resolve("q5")).active == 0
    [stopped] = provider.take(provider.resolve("q4/$DeadLetterQueue"), RECEIVE_AND_DELETE, 5)
    assert stopped.dead_letter_reason == "MaxTransferHopCountExceeded"
