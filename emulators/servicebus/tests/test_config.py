from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from emulator_common.config import ConfigError
from servicebus_emulator.config import load_config, parse_config
from servicebus_emulator.filters import DEFAULT_RULE, CorrelationFilter, Rule
from servicebus_emulator.sql import SqlFilter

PLATFORM_CONFIG = Path(__file__).resolve().parents[1] / "config" / "platform.json"

# Microsoft's sample Config.json, as shipped with their emulator.
MICROSOFT_SAMPLE: dict[str, Any] = {
    "UserConfig": {
        "Namespaces": [
            {
                "Name": "sbemulatorns",
                "Queues": [
                    {
                        "Name": "queue.1",
                        "Properties": {
                            "DeadLetteringOnMessageExpiration": False,
                            "DefaultMessageTimeToLive": "PT1H",
                            "DuplicateDetectionHistoryTimeWindow": "PT20S",
                            "ForwardDeadLetteredMessagesTo": "",
                            "ForwardTo": "",
                            "LockDuration": "PT1M",
                            "MaxDeliveryCount": 3,
                            "RequiresDuplicateDetection": False,
                            "RequiresSession": False,
                        },
                    }
                ],
                "Topics": [
                    {
                        "Name": "topic.1",
                        "Properties": {
                            "DefaultMessageTimeToLive": "PT1H",
                            "DuplicateDetectionHistoryTimeWindow": "PT20S",
                            "RequiresDuplicateDetection": False,
                        },
                        "Subscriptions": [
                            {
                                "Name": "subscription.1",
                                "Properties": {
                                    "DeadLetteringOnMessageExpiration": False,
                                    "DefaultMessageTimeToLive": "PT1H",
                                    "LockDuration": "PT1M",
                                    "MaxDeliveryCount": 3,
                                    "ForwardDeadLetteredMessagesTo": "",
                                    "ForwardTo": "",
                                    "RequiresSession": False,
                                },
                                "Rules": [
                                    {
                                        "Name": "app-prop-filter-1",
                                        "Properties": {
                                            "FilterType": "Correlation",
                                            "CorrelationFilter": {
                                                "ContentType": "application/text",
                                                "CorrelationId": "id1",
                                                "Label": "subject1",
                                                "MessageId": "msgid1",
                                                "ReplyTo": "someQueue",
                                                "ReplyToSessionId": "sessionId",
                                                "SessionId": "session1",
                                                "To": "xyz",
                                            },
                                        },
                                    }
                                ],
                            },
                            {
                                "Name": "subscription.2",
                                "Rules": [
                                    {
                                        "Name": "user-prop-filter-1",
                                        "Properties": {
                                            "FilterType": "Correlation",
                                            "CorrelationFilter": {"Properties": {"prop3": "value3"}},
                                        },
                                    }
                                ],
                            },
                            {"Name": "subscription.3"},
                        ],
                    }
                ],
            }
        ],
        "Logging": {"Type": "File"},
    }
}


def sample() -> dict[str, Any]:
    return copy.deepcopy(MICROSOFT_SAMPLE)


def namespace(config: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = config["UserConfig"]["Namespaces"][0]
    return result


def issues_of(config: Any) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_config(config)
    return [str(issue) for issue in raised.value.issues]


def test_microsoft_sample_config_loads():
    settings = parse_config(sample())

    [queue] = settings.queues
    assert (queue.name, queue.lock_duration, queue.max_delivery_count) == ("queue.1", 60, 3)
    assert (queue.default_message_ttl, queue.duplicate_detection_window) == (3600, 20)
    assert queue.max_message_size == 256 * 1024
    [topic] = settings.topics
    first, second, third = topic.subscriptions
    assert first.rules == (
        Rule(
            "app-prop-filter-1",
            CorrelationFilter(
                correlation_id="id1",
                message_id="msgid1",
                to="xyz",
                reply_to="someQueue",
                subject="subject1",
                session_id="session1",
                reply_to_session_id="sessionId",
                content_type="application/text",
            ),
        ),
    )
    assert second.rules == (Rule("user-prop-filter-1", CorrelationFilter(properties={"prop3": "value3"})),)
    assert third.rules == (DEFAULT_RULE,)


def test_platform_config_declares_the_platform_entities():
    settings = load_config(PLATFORM_CONFIG)

    [queue] = settings.queues
    assert queue.name == "payment-requests"
    assert (queue.max_delivery_count, queue.lock_duration) == (5, 30)
    assert (queue.requires_duplicate_detection, queue.duplicate_detection_window) == (True, 600)
    [topic] = settings.topics
    assert topic.name == "payment-events"
    [subscription] = topic.subscriptions
    assert (subscription.name, subscription.max_delivery_count) == ("order-service", 5)


def test_properties_default_when_omitted():
    settings = parse_config({"UserConfig": {"Namespaces": [{"Name": "ns", "Queues": [{"Name": "q"}]}]}})

    [queue] = settings.queues
    assert (queue.lock_duration, queue.max_delivery_count, queue.default_message_ttl) == (60, 3, 3600)
    assert not queue.requires_duplicate_detection


def test_max_message_size_extension():
    config = sample()
    namespace(config)["Queues"][0]["Properties"]["MaxMessageSizeInKilobytes"] = 1024

    [queue] = parse_config(config).queues

    assert queue.max_message_size == 1024 * 1024


def test_durations_beyond_microsofts_emulator_limits_are_accepted():
    config = sample()
    props = namespace(config)["Queues"][0]["Properties"]
    props.update({"DuplicateDetectionHistoryTimeWindow": "PT10M", "DefaultMessageTimeToLive": "P14D"})

    [queue] = parse_config(config).queues

    assert (queue.duplicate_detection_window, queue.default_message_ttl) == (600, 14 * 86400)


QUEUE = "UserConfig.Namespaces[0].Queues[0]"
SUB = "UserConfig.Namespaces[0].Topics[0].Subscriptions[0]"
RULE = f"{SUB}.Rules[0].Properties"


def _set(path: list[Any], value: Any) -> dict[str, Any]:
    config = sample()
    node: Any = config
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return config


NS = ["UserConfig", "Namespaces", 0]
QUEUE_PROPS = [*NS, "Queues", 0, "Properties"]
SUB_PATH = [*NS, "Topics", 0, "Subscriptions", 0]
RULE_PROPS = [*SUB_PATH, "Rules", 0, "Properties"]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            [*QUEUE_PROPS, "LockDuration"],
            "PT1X",
            f"{QUEUE}.Properties.LockDuration: invalid ISO 8601 duration 'PT1X'",
        ),
        ([*QUEUE_PROPS, "LockDuration"], 60, f"{QUEUE}.Properties.LockDuration: expected an ISO 8601"),
        ([*QUEUE_PROPS, "LockDuration"], "PT10M", f"{QUEUE}.Properties.LockDuration: must be at most PT300S"),
        (
            [*QUEUE_PROPS, "LockDuration"],
            "PT0S",
            f"{QUEUE}.Properties.LockDuration: must be longer than zero",
        ),
        (
            [*QUEUE_PROPS, "DefaultMessageTimeToLive"],
            "P1Y",
            f"{QUEUE}.Properties.DefaultMessageTimeToLive: invalid",
        ),
        (
            [*QUEUE_PROPS, "MaxDeliveryCount"],
            0,
            f"{QUEUE}.Properties.MaxDeliveryCount: Input should be greater",
        ),
        (
            [*QUEUE_PROPS, "MaxDeliveryCount"],
            "five",
            f"{QUEUE}.Properties.MaxDeliveryCount: Input should be a valid",
        ),
        (
            [*QUEUE_PROPS, "RequiresDuplicateDetection"],
            "yes",
            f"{QUEUE}.Properties.RequiresDuplicateDetection:",
        ),
        ([*QUEUE_PROPS, "MaxMessageSizeInKilobytes"], 0, f"{QUEUE}.Properties.MaxMessageSizeInKilobytes:"),
        ([*QUEUE_PROPS, "LockDurations"], "PT1M", f"{QUEUE}.Properties.LockDurations: unknown property"),
        ([*NS, "Queues", 0, "Name"], "-bad-", f"{QUEUE}.Name: invalid name '-bad-'"),
        (
            [*NS, "Queues", 0, "Name"],
            "topic.1",
            "UserConfig.Namespaces[0].Topics[0].Name: duplicate queue or topic",
        ),
        ([*NS, "Extra"], 1, "UserConfig.Namespaces[0].Extra: unknown property"),
        (["UserConfig", "Logging", "Type"], "Syslog", "UserConfig.Logging.Type: Input should be"),
        (
            [*QUEUE_PROPS, "ForwardTo"],
            "other",
            f"{QUEUE}.Properties.ForwardTo: no queue or topic named 'other'",
        ),
        ([*QUEUE_PROPS, "ForwardTo"], "QUEUE.1", f"{QUEUE}.Properties.ForwardTo: cannot forward to itself"),
        (
            [*QUEUE_PROPS, "ForwardDeadLetteredMessagesTo"],
            "other",
            f"{QUEUE}.Properties.ForwardDeadLetteredMessagesTo: no queue or topic named 'other'",
        ),
        (
            [*SUB_PATH, "Properties", "ForwardTo"],
            "topic.1",
            f"{SUB}.Properties.ForwardTo: cannot forward to itself or its own topic",
        ),
        ([*RULE_PROPS, "FilterType"], "Sql", f"{RULE}.SqlFilter: required when FilterType is 'Sql'"),
        ([*RULE_PROPS, "FilterType"], "True", f"{RULE}.FilterType: Input should be 'Correlation' or 'Sql'"),
        (
            [*RULE_PROPS, "SqlFilter"],
            {"SqlExpression": "a = 1"},
            f"{RULE}.SqlFilter: not allowed when FilterType is 'Correlation'",
        ),
        (
            [*RULE_PROPS, "Action"],
            {"SqlExpression": "SET a = "},
            f"{RULE}.Action.SqlExpression: expected an expression, found end of input at column 9",
        ),
        (
            [*RULE_PROPS, "Action"],
            {"SqlExpression": "SET sys.SequenceNumber = 1"},
            f"{RULE}.Action.SqlExpression: ",
        ),
        ([*RULE_PROPS, "CorrelationFilter"], {}, f"{RULE}.CorrelationFilter: must set at least one property"),
        ([*RULE_PROPS, "CorrelationFilter"], None, f"{RULE}.CorrelationFilter: required when FilterType"),
        (
            [*RULE_PROPS, "CorrelationFilter"],
            {"Properties": {"nested": {"a": 1}}},
            f"{RULE}.CorrelationFilter.Properties.nested: a correlation filter property must be",
        ),
        (
            [*RULE_PROPS, "CorrelationFilter", "Lable"],
            "x",
            f"{RULE}.CorrelationFilter.Lable: unknown property",
        ),
    ],
)
def test_bad_value_is_reported_with_its_json_path(path, value, expected):
    issues = issues_of(_set(path, value))

    assert any(issue.startswith(expected) for issue in issues), issues


def test_missing_required_fields_are_reported_with_their_paths():
    config = sample()
    del namespace(config)["Queues"][0]["Name"]
    del namespace(config)["Topics"][0]["Subscriptions"][0]["Rules"][0]["Properties"]["FilterType"]

    issues = issues_of(config)

    assert f"{QUEUE}.Name: required property is missing" in issues
    assert f"{RULE}.FilterType: required property is missing" in issues


def test_duplicate_subscription_and_rule_names_are_rejected():
    config = sample()
    subscriptions = namespace(config)["Topics"][0]["Subscriptions"]
    subscriptions[1]["Name"] = "SUBSCRIPTION.1"
    subscriptions[1]["Rules"].append(copy.deepcopy(subscriptions[1]["Rules"][0]))

    issues = issues_of(config)

    assert any(
        i.startswith("UserConfig.Namespaces[0].Topics[0].Subscriptions[1].Name: duplicate") for i in issues
    )
    assert any(
        i.startswith("UserConfig.Namespaces[0].Topics[0].Subscriptions[1].Rules[1].Name: duplicate rule")
        for i in issues
    )


def test_more_than_one_namespace_is_rejected():
    config = sample()
    config["UserConfig"]["Namespaces"].append({"Name": "other"})

    assert any(i.startswith("UserConfig.Namespaces: exactly one namespace") for i in issues_of(config))


def test_every_problem_is_reported_at_once():
    config = sample()
    namespace(config)["Queues"][0]["Properties"]["LockDuration"] = "soon"
    namespace(config)["Queues"][0]["Properties"]["MaxDeliveryCount"] = -1

    assert len(issues_of(config)) == 2


def test_unknown_top_level_key_and_non_object_config_are_rejected():
    assert issues_of({"UserConfig": sample()["UserConfig"], "Other": 1}) == ["Other: unknown property"]
    assert issues_of([]) != []


def test_invalid_json_file_reports_line_and_column(tmp_path):
    path = tmp_path / "Config.json"
    path.write_text('{\n  "UserConfig": {,\n}')

    with pytest.raises(ConfigError) as raised:
        load_config(path)

    assert "invalid JSON at line 2, column 18" in str(raised.value)


def test_config_file_with_byte_order_mark_loads(tmp_path):
    path = tmp_path / "Config.json"
    path.write_text(json.dumps(sample()), encoding="utf-8-sig")

    assert load_config(path).name == "sbemulatorns"


def _sql_rule(name: str, expression: str, action: str | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {"FilterType": "Sql", "SqlFilter": {"SqlExpression": expression}}
    if action is not None:
        properties["Action"] = {"SqlExpression": action}
    return {"Name": name, "Properties": properties}


def test_sql_filter_and_action_load_as_a_rule():
    config = sample()
    subscription = namespace(config)["Topics"][0]["Subscriptions"][1]
    subscription["Rules"] = [_sql_rule("big", "amount > 10 AND sys.Label LIKE 'Pay%'", "SET tier = 'gold'")]

    [rule] = parse_config(config).topics[0].subscriptions[1].rules

    assert isinstance(rule.filter, SqlFilter)
    assert rule.filter.expression == "amount > 10 AND sys.Label LIKE 'Pay%'"
    assert rule.action is not None
    assert rule.action.expression == "SET tier = 'gold'"


def test_correlation_rule_may_carry_an_action():
    config = sample()
    rule = namespace(config)["Topics"][0]["Subscriptions"][1]["Rules"][0]
    rule["Properties"]["Action"] = {"SqlExpression": "REMOVE prop3"}

    [loaded] = parse_config(config).topics[0].subscriptions[1].rules

    assert isinstance(loaded.filter, CorrelationFilter)
    assert loaded.action is not None


def test_invalid_sql_filter_is_rejected_with_its_path_and_column():
    config = sample()
    namespace(config)["Topics"][0]["Subscriptions"][1]["Rules"] = [
        _sql_rule("broken", "(amount > 10 OR b = 1")
    ]

    issues = issues_of(config)

    assert issues == [
        "UserConfig.Namespaces[0].Topics[0].Subscriptions[1].Rules[0].Properties.SqlFilter.SqlExpression: "
        "expected ')', found end of input at column 22"
    ]


def test_filter_exception_dead_lettering_loads():
    config = sample()
    sub = namespace(config)["Topics"][0]["Subscriptions"][0]["Properties"]
    sub["DeadLetteringOnFilterEvaluationExceptions"] = False

    settings = parse_config(config)

    assert not settings.topics[0].subscriptions[0].dead_lettering_on_filter_evaluation_exceptions
    assert settings.topics[0].subscriptions[1].dead_lettering_on_filter_evaluation_exceptions


def _forwarding_config() -> dict[str, Any]:
    config = sample()
    ns = namespace(config)
    ns["Queues"] += [{"Name": "queue.2"}, {"Name": "queue.3"}]
    return config


def test_forward_targets_resolve_to_the_configured_names():
    config = _forwarding_config()
    ns = namespace(config)
    ns["Queues"][0]["Properties"].update({"ForwardTo": "QUEUE.2", "ForwardDeadLetteredMessagesTo": "topic.1"})
    ns["Topics"][0]["Subscriptions"][2]["Properties"] = {"ForwardTo": "queue.3"}

    settings = parse_config(config)

    assert (settings.queues[0].forward_to, settings.queues[0].forward_dead_lettered_messages_to) == (
        "queue.2",
        "topic.1",
    )
    assert settings.topics[0].subscriptions[2].forward_to == "queue.3"


def test_forwarding_loop_between_queues_is_rejected_naming_the_field():
    config = _forwarding_config()
    ns = namespace(config)
    ns["Queues"][1]["Properties"] = {"ForwardTo": "queue.3"}
    ns["Queues"][2]["Properties"] = {"ForwardTo": "queue.2"}

    issues = issues_of(config)

    assert issues == [
        "UserConfig.Namespaces[0].Queues[1].Properties.ForwardTo: "
        "forwarding loop: queue.2 -> queue.3 -> queue.2"
    ]


def test_forwarding_loop_through_a_topic_is_rejected():
    config = _forwarding_config()
    ns = namespace(config)
    ns["Queues"][1]["Properties"] = {"ForwardTo": "topic.1"}
    ns["Topics"][0]["Subscriptions"][2]["Properties"] = {"ForwardTo": "queue.2"}

    [issue] = issues_of(config)

    assert issue.startswith(
        "UserConfig.Namespaces[0].Queues[1].Properties.ForwardTo: forwarding loop: queue.2"
    )
    assert "topic.1/subscriptions/subscription.3" in issue


def test_forwarding_chain_without_a_loop_is_accepted():
    config = _forwarding_config()
    ns = namespace(config)
    ns["Queues"][0]["Properties"]["ForwardTo"] = "topic.1"
    ns["Topics"][0]["Subscriptions"][2]["Properties"] = {"ForwardTo": "queue.2"}
    ns["Queues"][1]["Properties"] = {"ForwardTo": "queue.3"}

    assert parse_config(config).queues[1].forward_to == "queue.3"


def test_requires_session_loads_on_queues_and_subscriptions():
    config = sample()
    namespace(config)["Queues"][0]["Properties"]["RequiresSession"] = True
    namespace(config)["Topics"][0]["Subscriptions"][0]["Properties"]["RequiresSession"] = True

    settings = parse_config(config)

    assert settings.queues[0].requires_session
    assert settings.topics[0].subscriptions[0].requires_session
