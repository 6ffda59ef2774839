"""Subscription rules changed at run time: they route the messages sent afterwards, names are unique
(case-insensitive), and only subscriptions have rules."""

from __future__ import annotations

import pytest
from servicebus_emulator.errors import EntityAlreadyExistsError, EntityNotFoundError, InvalidOperationError
from servicebus_emulator.filters import CorrelationFilter, Rule

from .conftest import RECEIVE_AND_DELETE, topic_ns

NEVER = Rule("never", CorrelationFilter(subject="never"))


async def test_added_rule_routes_messages_sent_afterwards(factory):
    provider = factory.provider(topic_ns(factory, factory.subscription("s", NEVER)))
    events, sub = provider.resolve("events"), provider.resolve("events/Subscriptions/s")
    await provider.send(events, [factory.message(b"before", subject="paid")])

    provider.add_rule(sub, Rule("paid", CorrelationFilter(subject="paid")))
    await provider.send(events, [factory.message(b"after", subject="paid")])

    assert [rule.name for rule in provider.rules(sub)] == ["never", "paid"]
    assert [m.encoded for m in provider.take(sub, RECEIVE_AND_DELETE, 10)] == [b"after"]


async def test_removed_rule_stops_routing(factory):
    provider = factory.provider(topic_ns(factory, factory.subscription("s")))
    events, sub = provider.resolve("events"), provider.resolve("events/Subscriptions/s")

    provider.remove_rule(sub, "$DEFAULT")
    await provider.send(events, [factory.message()])

    assert provider.rules(sub) == ()
    assert provider.counts(sub).active == 0


async def test_rule_names_are_unique_and_unknown_ones_cannot_be_removed(factory):
    provider = factory.provider(topic_ns(factory, factory.subscription("s", NEVER)))
    sub = provider.resolve("events/Subscriptions/s")

    with pytest.raises(EntityAlreadyExistsError):
        provider.add_rule(sub, Rule("NEVER", CorrelationFilter(subject="other")))
    with pytest.raises(EntityNotFoundError):
        provider.remove_rule(sub, "missing")
    assert provider.rules(sub) == (NEVER,)


async def test_only_subscriptions_have_rules(factory):
    provider = factory.provider(topic_ns(factory, factory.subscription("s")))

    with pytest.raises(InvalidOperationError):
        provider.rules(provider.resolve("events"))
    with pytest.raises(InvalidOperationError):
        provider.add_rule(provider.resolve("events"), NEVER)
