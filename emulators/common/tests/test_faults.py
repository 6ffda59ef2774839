from __future__ import annotations

import pytest
from emulator_common.faults import FaultAction, FaultRegistry, FaultRuleError, FaultRuleSpec
from pydantic import ValidationError


def spec(**fields) -> FaultRuleSpec:
    return FaultRuleSpec.model_validate({"operation": "send", "action": "error", **fields})


def test_rule_matches_its_entity_case_insensitively_and_operation():
    faults = FaultRegistry()
    rule = faults.add(spec(entity="Orders", condition="com.microsoft:server-busy", description="busy"))

    fault = faults.match("orders", "send")

    assert fault is not None
    assert (fault.rule_id, fault.action, fault.condition, fault.description) == (
        rule.id,
        FaultAction.ERROR,
        "com.microsoft:server-busy",
        "busy",
    )
    assert faults.match("orders", "receive") is None
    assert faults.match("payments", "send") is None


def test_wildcard_entity_and_operation_match_everything():
    faults = FaultRegistry()
    faults.add(spec(entity="*", operation="*", action="drop-connection"))

    fault = faults.match("anything", "complete")

    assert fault is not None
    assert fault.action is FaultAction.DROP_CONNECTION


def test_count_applies_to_the_next_n_matches_then_expires():
    faults = FaultRegistry()
    rule = faults.add(spec(count=2))

    outcomes = [faults.match("orders", "send") is not None for _ in range(4)]

    assert outcomes == [True, True, False, False]
    assert faults.get(rule.id) is None
    assert faults.rules() == []


def test_a_match_limited_to_some_actions_leaves_the_other_rules_untouched():
    faults = FaultRegistry()
    busy = faults.add(spec(operation="receive", count=1))
    chance = faults.add(spec(operation="receive", action="latency", latency_ms=5, probability=0.5, seed=9))
    twice = faults.add(spec(operation="receive", action="duplicate-delivery", count=1))
    draws_before = chance.rng.getstate()

    fault = faults.match("orders", "receive", {FaultAction.DUPLICATE_DELIVERY})

    assert fault is not None
    assert fault.rule_id == twice.id
    assert faults.get(twice.id) is None  # its budget of one is spent
    assert (busy.fired, busy.remaining, chance.fired) == (0, 1, 0)
    assert chance.rng.getstate() == draws_before  # not drawn for either
    assert faults.match("orders", "receive", {FaultAction.DUPLICATE_DELIVERY}) is None
    other = faults.match("orders", "receive", frozenset(FaultAction) - {FaultAction.DUPLICATE_DELIVERY})
    assert other is not None
    assert other.rule_id == busy.id


def test_probability_with_a_seed_is_reproducible():
    def run() -> list[bool]:
        faults = FaultRegistry()
        faults.add(spec(probability=0.3, seed=42))
        return [faults.match("orders", "send") is not None for _ in range(200)]

    first, second = run(), run()

    assert first == second
    assert 30 < sum(first) < 90


def test_registry_seed_makes_unseeded_rules_reproducible():
    def run(seed: int) -> list[bool]:
        faults = FaultRegistry(seed=seed)
        faults.add(spec(probability=0.5))
        return [faults.match("orders", "send") is not None for _ in range(64)]

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_probability_and_count_together_count_only_firings():
    faults = FaultRegistry()
    faults.add(spec(probability=0.5, count=3, seed=1))

    fired = sum(faults.match("orders", "send") is not None for _ in range(100))

    assert fired == 3


def test_probability_zero_never_fires():
    faults = FaultRegistry()
    faults.add(spec(probability=0.0))

    assert all(faults.match("orders", "send") is None for _ in range(100))


def test_first_added_rule_wins():
    faults = FaultRegistry()
    first = faults.add(spec(action="latency", latency_ms=50))
    faults.add(spec(action="detach"))

    fault = faults.match("orders", "send")

    assert fault is not None
    assert fault.rule_id == first.id
    assert fault.latency_ms == 50


def test_default_conditions_per_action():
    faults = FaultRegistry()
    for action in ("detach", "lose-lock", "link-stolen", "duplicate-delivery"):
        faults.add(spec(action=action, entity=action))

    conditions = {a: faults.match(a, "send").condition for a in ("detach", "lose-lock", "link-stolen")}

    assert conditions == {
        "detach": "amqp:link:detach-forced",
        "lose-lock": "com.microsoft:message-lock-lost",
        "link-stolen": "amqp:link:stolen",
    }
    assert faults.match("duplicate-delivery", "send").condition is None


def test_rules_are_listed_removed_and_cleared():
    faults = FaultRegistry()
    a = faults.add(spec())
    b = faults.add(spec(operation="receive"))
    faults.add(spec(operation="complete"))

    assert [r.id for r in faults.rules()] == [a.id, b.id, "3"]
    assert faults.remove(a.id)
    assert not faults.remove(a.id)
    assert [r.id for r in faults.rules()] == [b.id, "3"]
    assert faults.clear() == 2
    assert faults.rules() == []


def test_listing_reports_firings_and_remaining_budget():
    faults = FaultRegistry()
    rule = faults.add(spec(count=3))
    faults.match("orders", "send")

    listed = rule.as_json()

    assert (listed["fired"], listed["remaining"], listed["action"]) == (1, 2, "error")


def test_unknown_operation_is_rejected_naming_the_field():
    faults = FaultRegistry()

    with pytest.raises(FaultRuleError) as raised:
        faults.add(spec(operation="explode"))

    assert raised.value.field == "operation"


def test_emulator_specific_operations_can_be_added():
    faults = FaultRegistry(extra_operations=frozenset({"checkpoint"}))

    faults.add(spec(operation="checkpoint"))

    assert faults.match("hub", "checkpoint") is not None


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "latency"},
        {"action": "error", "latency_ms": 5},
        {"probability": 1.5},
        {"count": 0},
        {"unexpected": 1},
        {"action": "melt"},
    ],
)
def test_invalid_rule_specs_are_rejected(fields):
    with pytest.raises(ValidationError):
        spec(**fields)
