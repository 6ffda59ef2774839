"""Rule descriptions as the `$management` rule operations carry them (add-rule, enumerate-rules).

The request side is a map (``sql-filter`` / ``correlation-filter`` / ``sql-rule-action``); the answer
side is the described list `com.microsoft:rule-description:list` = [filter, action, name], filters and
actions being described lists too, with the codes the SDKs decode (see azure-sdk-for-js
``managementClient.getRules`` and core-amqp's ``descriptorCodes``).
"""

from __future__ import annotations

from typing import Any

from amqp_core.types import Described, Int, ULong

from servicebus_emulator.amqp.convert import plain
from servicebus_emulator.filters import CorrelationFilter, Rule, TrueFilter
from servicebus_emulator.sql import SqlFilter, parse_action, parse_filter

RULE_DESCRIPTION = ULong(0x0000_0137_0000_0004)
EMPTY_RULE_ACTION = ULong(0x0000_0137_0000_0005)
SQL_RULE_ACTION = ULong(0x0000_0137_0000_0006)
SQL_FILTER = ULong(0x0000_0013_7000_0006)
TRUE_FILTER = ULong(0x0000_0013_7000_0007)
FALSE_FILTER = ULong(0x0000_0013_7000_0008)
CORRELATION_FILTER = ULong(0x0000_0013_7000_0009)
COMPATIBILITY_LEVEL = Int(20)

_CORRELATION_FIELDS = (
    ("correlation-id", "correlation_id"),
    ("message-id", "message_id"),
    ("to", "to"),
    ("reply-to", "reply_to"),
    ("label", "subject"),
    ("session-id", "session_id"),
    ("reply-to-session-id", "reply_to_session_id"),
    ("content-type", "content_type"),
)


class RuleDescriptionError(ValueError):
    """The request's rule description is malformed (the message says what is wrong)."""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def rule_from_request(name: str, description: dict[Any, Any]) -> Rule:
    """A rule from add-rule's ``rule-description`` map; raises SqlSyntaxError or RuleDescriptionError."""
    fields = {str(key): value for key, value in description.items()}
    sql_filter = fields.get("sql-filter")
    correlation = fields.get("correlation-filter")
    action_map = fields.get("sql-rule-action")
    action = None
    if isinstance(action_map, dict) and action_map.get("expression") is not None:
        action = parse_action(str(action_map["expression"]))
    if isinstance(sql_filter, dict):
        return Rule(name, parse_filter(str(sql_filter.get("expression", ""))), action)
    if isinstance(correlation, dict):
        properties = correlation.get("properties") or {}
        if not isinstance(properties, dict):
            raise RuleDescriptionError("correlation-filter 'properties' must be a map")
        kwargs = {attribute: _text(correlation.get(key)) for key, attribute in _CORRELATION_FIELDS}
        filter_ = CorrelationFilter(**kwargs, properties={str(k): plain(v) for k, v in properties.items()})
        return Rule(name, filter_, action)
    raise RuleDescriptionError("the rule description needs a 'sql-filter' or a 'correlation-filter'")


def _filter(rule: Rule) -> Described:
    filter_ = rule.filter
    if isinstance(filter_, TrueFilter):
        return Described(TRUE_FILTER, [])
    if isinstance(filter_, SqlFilter):
        return Described(SQL_FILTER, [filter_.expression, COMPATIBILITY_LEVEL])
    if isinstance(filter_, CorrelationFilter):
        values: list[Any] = [getattr(filter_, attribute) for _, attribute in _CORRELATION_FIELDS]
        return Described(CORRELATION_FILTER, [*values, dict(filter_.properties)])
    return Described(FALSE_FILTER, [])


def rule_description(rule: Rule) -> Described:
    if rule.action is None:
        action = Described(EMPTY_RULE_ACTION, [])
    else:
        action = Described(SQL_RULE_ACTION, [rule.action.expression, COMPATIBILITY_LEVEL])
    return Described(RULE_DESCRIPTION, [_filter(rule), action, rule.name])
