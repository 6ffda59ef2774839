"""Which copies of a topic message a subscription gets, as Azure documents it ("Topic filters and actions").

- Every matching rule without an action, together, yields one copy, unchanged.
- Each matching rule with an action yields a copy of its own, the action applied, with the application
  property ``RuleName`` set to that rule's name (so one message can become several on a subscription).
- A SQL filter or action that fails on the message (long division by zero, a value the target cannot
  hold...) is reported as a failure; the provider dead-letters the message in that subscription when
  ``DeadLetteringOnFilterEvaluationExceptions`` is on (Azure's default), and drops it for that rule
  otherwise. The other rules still count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from servicebus_emulator.filters import MessageView, Rule
from servicebus_emulator.sql import ActionResult, SqlEvaluationError, SqlFilter

RULE_NAME_PROPERTY = "RuleName"


@dataclass(frozen=True, slots=True)
class RuleCopy:
    """One copy for the subscription: ``action`` is None for the unchanged copy."""

    rule: str | None = None
    action: ActionResult | None = None


@dataclass(frozen=True, slots=True)
class Routing:
    copies: list[RuleCopy] = field(default_factory=list)
    failure: str | None = None
    """What went wrong first while evaluating a rule, for the dead-letter description."""


def route(rules: tuple[Rule, ...], message: MessageView) -> Routing:
    copies: list[RuleCopy] = []
    unchanged = False
    failure: str | None = None
    for rule in rules:
        try:
            if isinstance(rule.filter, SqlFilter):
                matched = rule.filter.evaluate(message) is True
            else:
                matched = rule.filter.matches(message)
            if not matched:
                continue
            if rule.action is None:
                unchanged = True
                continue
            result = rule.action.apply(message)
        except SqlEvaluationError as error:
            failure = failure or f"rule '{rule.name}': {error}"
            continue
        result.application_properties[RULE_NAME_PROPERTY] = rule.name
        copies.append(RuleCopy(rule.name, result))
    if unchanged:
        copies.insert(0, RuleCopy())
    return Routing(copies, failure)
