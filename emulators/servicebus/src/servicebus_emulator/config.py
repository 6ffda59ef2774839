"""Microsoft's Service Bus emulator ``Config.json``, read into `NamespaceSettings`.

The format is Microsoft's, so an existing config works unchanged. Differences:
- limits are Azure's, not those of Microsoft's emulator (e.g. a 10-minute duplicate detection window
  and TTLs above one hour are accepted), and the namespace may have any name;
- ``MaxMessageSizeInKilobytes`` (queue and topic properties; default 256) is our extension;
- sessions, auto-forwarding, SQL filters and rule actions are refused, naming the field, until they
  are implemented;
- ``Logging.Type`` is accepted for compatibility; logs always go to stdout as JSON.
Every problem is reported with its JSON path, all at once.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from emulator_common.config import (
    ConfigError,
    ConfigIssue,
    IsoDuration,
    StrictModel,
    json_path,
    load_json_file,
    validate,
)
from pydantic import AfterValidator, Field

from servicebus_emulator.filters import DEFAULT_RULE, CorrelationFilter, Rule
from servicebus_emulator.model import (
    NamespaceSettings,
    QueueSettings,
    SubscriptionSettings,
    TopicSettings,
)

_NAME = re.compile(r"^[A-Za-z0-9]$|^[A-Za-z0-9][\w.\-/]*[A-Za-z0-9]$")
_MAX_LOCK_DURATION = timedelta(minutes=5)
_MAX_DUPLICATE_WINDOW = timedelta(days=7)


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, dict | list):
        raise ValueError("a correlation filter property must be a string, number or boolean")
    return value


class _CorrelationFilter(StrictModel):
    content_type: str | None = Field(None, alias="ContentType")
    correlation_id: str | None = Field(None, alias="CorrelationId")
    label: str | None = Field(None, alias="Label")
    message_id: str | None = Field(None, alias="MessageId")
    reply_to: str | None = Field(None, alias="ReplyTo")
    reply_to_session_id: str | None = Field(None, alias="ReplyToSessionId")
    session_id: str | None = Field(None, alias="SessionId")
    to: str | None = Field(None, alias="To")
    properties: dict[str, Annotated[Any, AfterValidator(_scalar)]] | None = Field(None, alias="Properties")


class _SqlExpression(StrictModel):
    sql_expression: str = Field(alias="SqlExpression")


class _RuleProperties(StrictModel):
    filter_type: Literal["Correlation", "Sql"] = Field(alias="FilterType")
    correlation_filter: _CorrelationFilter | None = Field(None, alias="CorrelationFilter")
    sql_filter: _SqlExpression | None = Field(None, alias="SqlFilter")
    action: _SqlExpression | None = Field(None, alias="Action")


class _Rule(StrictModel):
    name: str = Field(alias="Name")
    properties: _RuleProperties = Field(alias="Properties")


class _ReceiverProperties(StrictModel):
    dead_lettering_on_message_expiration: bool = Field(False, alias="DeadLetteringOnMessageExpiration")
    default_message_ttl: IsoDuration = Field(timedelta(hours=1), alias="DefaultMessageTimeToLive")
    lock_duration: IsoDuration = Field(timedelta(minutes=1), alias="LockDuration")
    max_delivery_count: int = Field(3, ge=1, alias="MaxDeliveryCount")
    forward_dead_lettered_messages_to: str = Field("", alias="ForwardDeadLetteredMessagesTo")
    forward_to: str = Field("", alias="ForwardTo")
    requires_session: bool = Field(False, alias="RequiresSession")


class _QueueProperties(_ReceiverProperties):
    duplicate_detection_window: IsoDuration = Field(
        timedelta(seconds=20), alias="DuplicateDetectionHistoryTimeWindow"
    )
    requires_duplicate_detection: bool = Field(False, alias="RequiresDuplicateDetection")
    max_message_size_kib: int = Field(256, ge=1, le=102_400, alias="MaxMessageSizeInKilobytes")


class _TopicProperties(StrictModel):
    default_message_ttl: IsoDuration = Field(timedelta(hours=1), alias="DefaultMessageTimeToLive")
    duplicate_detection_window: IsoDuration = Field(
        timedelta(seconds=20), alias="DuplicateDetectionHistoryTimeWindow"
    )
    requires_duplicate_detection: bool = Field(False, alias="RequiresDuplicateDetection")
    max_message_size_kib: int = Field(256, ge=1, le=102_400, alias="MaxMessageSizeInKilobytes")


class _Subscription(StrictModel):
    name: str = Field(alias="Name")
    properties: _ReceiverProperties = Field(
        default_factory=lambda: _ReceiverProperties.model_validate({}), alias="Properties"
    )
    rules: list[_Rule] = Field(default_factory=list, alias="Rules")


class _Queue(StrictModel):
    name: str = Field(alias="Name")
    properties: _QueueProperties = Field(
        default_factory=lambda: _QueueProperties.model_validate({}), alias="Properties"
    )


class _Topic(StrictModel):
    name: str = Field(alias="Name")
    properties: _TopicProperties = Field(
        default_factory=lambda: _TopicProperties.model_validate({}), alias="Properties"
    )
    subscriptions: list[_Subscription] = Field(default_factory=list, alias="Subscriptions")


class _Namespace(StrictModel):
    name: str = Field(alias="Name")
    queues: list[_Queue] = Field(default_factory=list, alias="Queues")
    topics: list[_Topic] = Field(default_factory=list, alias="Topics")


class _Logging(StrictModel):
    type: Literal["File", "Console", "File,Console", "Console,File"] = Field("Console", alias="Type")


class _UserConfig(StrictModel):
    namespaces: list[_Namespace] = Field(alias="Namespaces", min_length=1)
    logging: _Logging = Field(default_factory=lambda: _Logging.model_validate({}), alias="Logging")


class _Root(StrictModel):
    user_config: _UserConfig = Field(alias="UserConfig")


class _Checker:
    """Semantic checks pydantic cannot express per field; collects issues with their paths."""

    def __init__(self) -> None:
        self.issues: list[ConfigIssue] = []

    def fail(self, path: list[int | str], message: str) -> None:
        self.issues.append(ConfigIssue(json_path(path), message))

    def name(self, path: list[int | str], value: str, max_length: int) -> None:
        if not _NAME.match(value) or len(value) > max_length:
            self.fail(
                path,
                f"invalid name {value!r}: letters, digits, '.', '-', '_' and '/' only, starting and ending "
                f"with a letter or digit, at most {max_length} characters",
            )

    def unique(self, items: list[tuple[list[int | str], str]], what: str) -> None:
        seen: set[str] = set()
        for path, value in items:
            if value.casefold() in seen:
                self.fail(path, f"duplicate {what} name {value!r} (names are case-insensitive)")
            seen.add(value.casefold())

    def positive(self, path: list[int | str], value: timedelta, maximum: timedelta | None = None) -> None:
        if value <= timedelta(0):
            self.fail(path, "must be longer than zero")
        elif maximum is not None and value > maximum:
            self.fail(path, f"must be at most {_iso(maximum)}")

    def receiver(self, path: list[int | str], props: _ReceiverProperties) -> None:
        self.positive([*path, "DefaultMessageTimeToLive"], props.default_message_ttl)
        self.positive([*path, "LockDuration"], props.lock_duration, _MAX_LOCK_DURATION)
        if props.requires_session:
            self.fail([*path, "RequiresSession"], "not supported yet: sessions")
        if props.forward_to:
            self.fail([*path, "ForwardTo"], "not supported yet: auto-forwarding (leave it empty)")
        if props.forward_dead_lettered_messages_to:
            self.fail(
                [*path, "ForwardDeadLetteredMessagesTo"],
                "not supported yet: auto-forwarding of dead-lettered messages (leave it empty)",
            )

    def duplicates(self, path: list[int | str], window: timedelta) -> None:
        self.positive([*path, "DuplicateDetectionHistoryTimeWindow"], window, _MAX_DUPLICATE_WINDOW)

    def rule(self, path: list[int | str], rule: _Rule) -> Rule | None:
        self.name([*path, "Name"], rule.name, 50)
        props = rule.properties
        path = [*path, "Properties"]
        if props.action is not None and props.action.sql_expression.strip():
            self.fail([*path, "Action"], "not supported yet: rule actions")
        if props.filter_type == "Sql":
            self.fail([*path, "FilterType"], "not supported yet: SQL filters (use 'Correlation')")
            return None
        if props.sql_filter is not None:
            self.fail([*path, "SqlFilter"], "not supported yet: SQL filters (FilterType is 'Correlation')")
        correlation = props.correlation_filter
        if correlation is None:
            self.fail([*path, "CorrelationFilter"], "required when FilterType is 'Correlation'")
            return None
        fields = correlation.model_dump(exclude_none=True)
        if not fields or fields == {"properties": {}}:
            self.fail([*path, "CorrelationFilter"], "must set at least one property to match")
            return None
        return Rule(
            rule.name,
            CorrelationFilter(
                correlation_id=correlation.correlation_id,
                message_id=correlation.message_id,
                to=correlation.to,
                reply_to=correlation.reply_to,
                subject=correlation.label,
                session_id=correlation.session_id,
                reply_to_session_id=correlation.reply_to_session_id,
                content_type=correlation.content_type,
                properties=dict(correlation.properties or {}),
            ),
        )


def _iso(value: timedelta) -> str:
    return f"P{value.days}D" if value.days and not value.seconds else f"PT{int(value.total_seconds())}S"


def _seconds(value: timedelta) -> float:
    return value.total_seconds()


def _settings(root: _Root) -> tuple[NamespaceSettings, list[ConfigIssue]]:
    check = _Checker()
    base: list[int | str] = ["UserConfig", "Namespaces"]
    if len(root.user_config.namespaces) > 1:
        check.fail(base, "exactly one namespace is supported (entity addresses carry no namespace)")
    namespace = root.user_config.namespaces[0]
    ns_path: list[int | str] = [*base, 0]
    check.name([*ns_path, "Name"], namespace.name, 50)
    check.unique(
        [([*ns_path, "Queues", i, "Name"], q.name) for i, q in enumerate(namespace.queues)]
        + [([*ns_path, "Topics", i, "Name"], t.name) for i, t in enumerate(namespace.topics)],
        "queue or topic",
    )
    queues = []
    for i, queue in enumerate(namespace.queues):
        path: list[int | str] = [*ns_path, "Queues", i]
        check.name([*path, "Name"], queue.name, 260)
        props = queue.properties
        check.receiver([*path, "Properties"], props)
        check.duplicates([*path, "Properties"], props.duplicate_detection_window)
        queues.append(
            QueueSettings(
                name=queue.name,
                lock_duration=_seconds(props.lock_duration),
                max_delivery_count=props.max_delivery_count,
                default_message_ttl=_seconds(props.default_message_ttl),
                dead_lettering_on_message_expiration=props.dead_lettering_on_message_expiration,
                requires_duplicate_detection=props.requires_duplicate_detection,
                duplicate_detection_window=_seconds(props.duplicate_detection_window),
                max_message_size=props.max_message_size_kib * 1024,
            )
        )
    topics = []
    for i, topic in enumerate(namespace.topics):
        path = [*ns_path, "Topics", i]
        check.name([*path, "Name"], topic.name, 260)
        check.positive(
            [*path, "Properties", "DefaultMessageTimeToLive"], topic.properties.default_message_ttl
        )
        check.duplicates([*path, "Properties"], topic.properties.duplicate_detection_window)
        check.unique(
            [([*path, "Subscriptions", j, "Name"], s.name) for j, s in enumerate(topic.subscriptions)],
            "subscription",
        )
        subscriptions = []
        for j, sub in enumerate(topic.subscriptions):
            sub_path: list[int | str] = [*path, "Subscriptions", j]
            check.name([*sub_path, "Name"], sub.name, 50)
            check.receiver([*sub_path, "Properties"], sub.properties)
            check.unique([([*sub_path, "Rules", k, "Name"], r.name) for k, r in enumerate(sub.rules)], "rule")
            rules = [check.rule([*sub_path, "Rules", k], rule) for k, rule in enumerate(sub.rules)]
            sub_props = sub.properties
            subscriptions.append(
                SubscriptionSettings(
                    name=sub.name,
                    rules=tuple(r for r in rules if r is not None) if sub.rules else (DEFAULT_RULE,),
                    lock_duration=_seconds(sub_props.lock_duration),
                    max_delivery_count=sub_props.max_delivery_count,
                    default_message_ttl=_seconds(sub_props.default_message_ttl),
                    dead_lettering_on_message_expiration=sub_props.dead_lettering_on_message_expiration,
                )
            )
        topics.append(
            TopicSettings(
                name=topic.name,
                subscriptions=tuple(subscriptions),
                default_message_ttl=_seconds(topic.properties.default_message_ttl),
                requires_duplicate_detection=topic.properties.requires_duplicate_detection,
                duplicate_detection_window=_seconds(topic.properties.duplicate_detection_window),
                max_message_size=topic.properties.max_message_size_kib * 1024,
            )
        )
    return NamespaceSettings(name=namespace.name, queues=tuple(queues), topics=tuple(topics)), check.issues


def parse_config(data: Any, source: str = "<config>") -> NamespaceSettings:
    root = validate(_Root, data, source)
    settings, issues = _settings(root)
    if issues:
        raise ConfigError(source, issues)
    return settings


def load_config(path: Path) -> NamespaceSettings:
    return parse_config(load_json_file(path), str(path))
