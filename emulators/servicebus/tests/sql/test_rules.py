from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable

import pytest
from servicebus_emulator.filters import Filter, Rule, any_rule_matches
from servicebus_emulator.model import BrokerMessage, IncomingMessage, MessageState
from servicebus_emulator.sql import (
    SqlEvaluationError,
    SqlFilter,
    SqlRuleAction,
    SqlSyntaxError,
    parse_action,
    parse_filter,
)

Make = Callable[..., BrokerMessage]


def at(timestamp: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MessageId", "m-1"),
        ("CorrelationId", "c-1"),
        ("To", "orders"),
        ("ReplyTo", "replies"),
        ("ReplyToSessionId", "rs-1"),
        ("SessionId", "s-1"),
        ("Label", "PaymentSucceeded"),
        ("Subject", "PaymentSucceeded"),
        ("ContentType", "application/json"),
        ("Size", 321),
        ("DeliveryCount", 2),
        ("SequenceNumber", 42),
        ("EnqueuedSequenceNumber", 42),
        ("EnqueuedTimeUtc", at(1_700_000_000)),
        ("ExpiresAtUtc", at(1_700_003_600)),
        ("LockedUntilUtc", at(1_700_000_060)),
        ("TimeToLive", datetime.timedelta(hours=1)),
        ("LockToken", uuid.UUID("6f1b7c1e-1d2a-4c1e-9a55-0f0e0d0c0b0a")),
        ("State", "Active"),
    ],
)
def test_system_properties_read_the_broker_message_fields(message: Make, name: str, value: object) -> None:
    # The value goes in as an application property so it keeps its type (a datetime has no literal).
    sql_filter = parse_filter(f"sys.{name} = user.expected AND sys.{name.lower()} = expected")
    assert sql_filter.evaluate(message(application_properties={"expected": value})) is True


@pytest.mark.parametrize(
    "name",
    [
        "ScheduledEnqueueTimeUtc",
        "DeadLetterSource",
        "PartitionKey",
        "ViaPartitionKey",
        "TransactionPartitionKey",
        "ForcePersistence",
    ],
)
def test_system_properties_without_a_value_are_null_and_do_not_exist(message: Make, name: str) -> None:
    assert parse_filter(f"sys.{name} IS NULL AND NOT EXISTS(sys.{name})").matches(message())


def test_scheduled_time_and_state_of_a_scheduled_message(message: Make) -> None:
    scheduled = message(scheduled_enqueue_time=1_700_000_000.0, state=MessageState.SCHEDULED)
    assert parse_filter("sys.ScheduledEnqueueTimeUtc = sys.EnqueuedTimeUtc").matches(scheduled)
    assert parse_filter("sys.State = 'Scheduled'").matches(scheduled)


def test_system_property_exists_when_it_has_a_value(message: Make) -> None:
    assert parse_filter("EXISTS(sys.CorrelationId)").matches(message())
    assert not parse_filter("EXISTS(sys.CorrelationId)").matches(message(correlation_id=None))


def test_broker_assigned_properties_are_null_on_a_message_without_them() -> None:
    incoming = IncomingMessage(encoded=b"x", subject="hello", application_properties={"n": 1})
    assert parse_filter("sys.Label = 'hello' AND n = 1").matches(incoming)  # type: ignore[arg-type]
    assert parse_filter("sys.SequenceNumber IS NULL").matches(incoming)  # type: ignore[arg-type]


def test_sql_filter_is_a_filter_usable_in_rules(message: Make) -> None:
    sql_filter: Filter = parse_filter("sys.Label LIKE 'Payment%' AND amount >= 10")
    rules = (Rule("big-payments", sql_filter),)
    assert any_rule_matches(rules, message(application_properties={"amount": 10}))
    assert not any_rule_matches(rules, message(application_properties={"amount": 9.5}))
    assert not any_rule_matches(rules, message())


def test_sql_filter_does_not_match_when_unknown_or_when_evaluation_fails(message: Make) -> None:
    assert not parse_filter("missing = 1").matches(message())
    assert not parse_filter("NOT missing = 1").matches(message())
    failing = parse_filter("n / 0 = 1")
    assert not failing.matches(message(application_properties={"n": 1}))
    with pytest.raises(SqlEvaluationError, match="integer division by zero"):
        failing.evaluate(message(application_properties={"n": 1}))


def test_parse_filter_keeps_the_expression_text_and_reports_the_column() -> None:
    assert parse_filter("1=1") == SqlFilter("1=1", parse_filter("1 = 1").predicate)
    with pytest.raises(SqlSyntaxError, match=r"^expected '\)', found end of input at column 17$"):
        parse_filter("(sys.Label = 'x'")


def test_action_sets_and_removes_user_properties_on_a_copy(message: Make) -> None:
    original = message(application_properties={"quantity": 10, "priority": "high", "keep": True})
    result = parse_action("SET quantity = quantity / 2; REMOVE priority; SET added = 'yes'").apply(original)
    assert result.application_properties == {"quantity": 5, "keep": True, "added": "yes"}
    assert result.system == {}
    assert original.application_properties == {"quantity": 10, "priority": "high", "keep": True}


def test_action_statements_see_earlier_changes(message: Make) -> None:
    result = parse_action("SET a = 1, SET b = a + 1; SET sys.Label = 'x'; SET c = sys.Subject").apply(
        message()
    )
    assert result.application_properties == {"a": 1, "b": 2, "c": "x"}


def test_action_sets_and_removes_settable_system_properties(message: Make) -> None:
    action = parse_action(
        "SET sys.Label = sys.Label + '-routed'; SET sys.CorrelationId = 'low'; REMOVE sys.ReplyTo;"
        " SET sys.To = NULL; SET sys.SessionId = 's-2'; SET sys.ReplyToSessionId = 'r';"
        " SET sys.ContentType = 'text/plain'; SET sys.MessageId = 'm-2'"
    )
    assert action.apply(message()).system == {
        "subject": "PaymentSucceeded-routed",
        "correlation_id": "low",
        "reply_to": None,
        "to": None,
        "session_id": "s-2",
        "reply_to_session_id": "r",
        "content_type": "text/plain",
        "message_id": "m-2",
    }


def test_action_updates_an_existing_property_whatever_the_case_of_its_name(message: Make) -> None:
    result = parse_action("SET COUNT = 3; REMOVE Flag").apply(
        message(application_properties={"count": 1, "flag": True})
    )
    assert result.application_properties == {"count": 3}


def test_action_converts_a_long_into_an_existing_double_property(message: Make) -> None:
    result = parse_action("SET price = 2; SET other = 2").apply(
        message(application_properties={"price": 1.5})
    )
    assert result.application_properties == {"price": 2.0, "other": 2}
    assert isinstance(result.application_properties["price"], float)


def test_action_stores_null_and_missing_values_as_null(message: Make) -> None:
    result = parse_action("SET a = NULL; SET b = missing + 1").apply(message())
    assert result.application_properties == {"a": None, "b": None}


def test_action_removing_a_missing_property_changes_nothing(message: Make) -> None:
    assert parse_action("REMOVE nothing").apply(
        message(application_properties={"a": 1})
    ).application_properties == {"a": 1}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("SET sys.Label = 1", "sys.Label takes a string, not a long"),
        ("SET sys.To = TRUE", "sys.To takes a string, not a boolean"),
        ("SET sys.MessageId = NULL", "sys.MessageId cannot be NULL"),
        ("REMOVE sys.MessageId", "sys.MessageId cannot be NULL"),
        ("SET ttl = sys.TimeToLive", "an application property cannot hold a time span"),
        ("SET a = 1 / 0", "integer division by zero"),
    ],
)
def test_action_fails_on_values_the_target_cannot_hold(message: Make, text: str, error: str) -> None:
    with pytest.raises(SqlEvaluationError, match=f"^{error}$"):
        parse_action(text).apply(message())


def test_parse_action_keeps_the_text_and_reports_the_column() -> None:
    action = parse_action("SET a = 1")
    assert isinstance(action, SqlRuleAction)
    assert action.expression == "SET a = 1"
    with pytest.raises(SqlSyntaxError, match=r"^expected '=', found '1' at column 7$"):
        parse_action("SET a 1")


def test_action_results_keep_guid_and_bytes_values(message: Make) -> None:
    token = uuid.uuid4()
    result = parse_action("SET copy = g; SET raw = b").apply(
        message(application_properties={"g": token, "b": b"1"})
    )
    assert result.application_properties["copy"] == token
    assert result.application_properties["raw"] == b"1"
