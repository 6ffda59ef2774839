"""Microsoft's Service Bus emulator ``Config.json``, read into `NamespaceSettings`.

The format is Microsoft's, so an existing config works unchanged. Differences:
- limits are Azure's, not those of Microsoft's emulator (e.g. a 10-minute duplicate detection window
  and TTLs above one hour are accepted), and the namespace may have any name;
- ``MaxMessageSizeInKilobytes`` (queue and topic properties; default 256) is our extension;
- a SQL filter or action that does not parse is refused at start with the column of the problem
  (Azure refuses it when the rule is created);
- a ``ForwardTo`` chain that loops back is refused (Azure refuses a subscription forwarding to its own
  topic, and stops a looping message after 4 hops); ``ForwardTo`` / ``ForwardDeadLetteredMessagesTo``
  must name a queue or topic of the config;
- ``DeadLetteringOnFilterEvaluationExceptions`` (subscriptions; default true, as in Azure) is accepted;
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

from servicebus_emulator.filters import DEFAULT_RULE, CorrelationFilter, Filter, Rule
from servicebus_emulator.model import (
    NamespaceSettings,
    QueueSettings,
    SubscriptionSettings,
    TopicSettings,
)
from servicebus_emulator.sql import SqlRuleAction, SqlSyntaxError, parse_action, parse_filter

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


class _SubscriptionProperties(_ReceiverProperties):
    dead_lettering_on_filter_evaluation_exceptions: bool = Field(
        True, alias="DeadLetteringOnFilterEvaluationExceptions"
    )


class _Subscription(StrictModel):
    name: str = Field(alias="Name")
    properties: _SubscriptionProperties = Field(
        default_factory=lambda: _SubscriptionProperties.model_validate({}), alias="Properties"
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

    def duplicates(self, path: list[int | str], window: timedelta) -> None:
        self.positive([*path, "DuplicateDetectionHistoryTimeWindow"], window, _MAX_DUPLICATE_WINDOW)

    def sql(self, path: list[int | str], text: str, parse: Any) -> Any:
        try:
            return parse(text)
        except SqlSyntaxError as error:
            self.fail(path, str(error))
            return None

    def rule(self, path: list[int | str], rule: _Rule) -> Rule | None:
        self.name([*path, "Name"], rule.name, 50)
        props = rule.properties
        path = [*path, "Properties"]
        action: SqlRuleAction | None = None
        if props.action is not None and props.action.sql_expression.strip():
            action = self.sql([*path, "Action", "SqlExpression"], props.action.sql_expression, parse_action)
            if action is None:
                return None
        if props.filter_type == "Sql":
            if props.correlation_filter is not None:
                self.fail([*path, "CorrelationFilter"], "not allowed when FilterType is 'Sql'")
            if props.sql_filter is None:
                self.fail([*path, "SqlFilter"], "required when FilterType is 'Sql'")
                return None
            sql_filter = self.sql(
                [*path, "SqlFilter", "SqlExpression"], props.sql_filter.sql_expression, parse_filter
            )
            return None if sql_filter is None else Rule(rule.name, sql_filter, action)
        if props.sql_filter is not None:
            self.fail([*path, "SqlFilter"], "not allowed when FilterType is 'Correlation'")
        correlation_filter = self.correlation([*path, "CorrelationFilter"], props.correlation_filter)
        return None if correlation_filter is None else Rule(rule.name, correlation_filter, action)

    def correlation(self, path: list[int | str], correlation: _CorrelationFilter | None) -> Filter | None:
        if correlation is None:
            self.fail(path, "required when FilterType is 'Correlation'")
            return None
        fields = correlation.model_dump(exclude_none=True)
        if not fields or fields == {"properties": {}}:
            self.fail(path, "must set at least one property to match")
            return None
        return CorrelationFilter(
            correlation_id=correlation.correlation_id,
            message_id=correlation.message_id,
            to=correlation.to,
            reply_to=correlation.reply_to,
            subject=correlation.label,
            session_id=correlation.session_id,
            reply_to_session_id=correlation.reply_to_session_id,
            content_type=correlation.content_type,
            properties=dict(correlation.properties or {}),
        )

    def forwarding(
        self, namespace: _Namespace, ns_path: list[int | str]
    ) -> dict[str, tuple[str | None, str | None]]:
        """Resolve each ForwardTo / ForwardDeadLetteredMessagesTo to a queue or topic name (as the config
        spells it) and refuse ForwardTo chains that loop. Keys are entity paths as the provider has them."""
        names = {q.name.casefold(): q.name for q in namespace.queues}
        names.update({t.name.casefold(): t.name for t in namespace.topics})
        sources: list[tuple[list[int | str], str, _ReceiverProperties, str | None]] = [
            ([*ns_path, "Queues", i, "Properties"], q.name, q.properties, None)
            for i, q in enumerate(namespace.queues)
        ]
        for i, topic in enumerate(namespace.topics):
            sources += [
                (
                    [*ns_path, "Topics", i, "Subscriptions", j, "Properties"],
                    f"{topic.name}/Subscriptions/{s.name}",
                    s.properties,
                    topic.name,
                )
                for j, s in enumerate(topic.subscriptions)
            ]
        resolved: dict[str, tuple[str | None, str | None]] = {}
        edges: dict[str, tuple[list[int | str], str]] = {}
        for path, entity, props, topic_name in sources:
            targets: list[str | None] = []
            for field_name, value in (
                ("ForwardTo", props.forward_to),
                ("ForwardDeadLetteredMessagesTo", props.forward_dead_lettered_messages_to),
            ):
                target = names.get(value.casefold()) if value else None
                if value and target is None:
                    self.fail([*path, field_name], f"no queue or topic named {value!r} in this namespace")
                elif target is not None and (
                    target.casefold() == entity.casefold()
                    or (field_name == "ForwardTo" and target.casefold() == (topic_name or "").casefold())
                ):
                    self.fail([*path, field_name], f"cannot forward to itself or its own topic ({value!r})")
                    target = None
                targets.append(target)
            resolved[entity] = (targets[0], targets[1])
            if targets[0] is not None:
                edges[entity.casefold()] = ([*path, "ForwardTo"], targets[0].casefold())
        # A message sent to a topic reaches each of its subscriptions: the topic leads to all of them.
        graph: dict[str, list[str]] = {key: [target] for key, (_, target) in edges.items()}
        for topic in namespace.topics:
            graph[topic.name.casefold()] = [
                f"{topic.name}/Subscriptions/{s.name}".casefold() for s in topic.subscriptions
            ]
        in_loop: set[str] = set()
        for key, (path, _) in edges.items():
            if key not in in_loop:
                cycle = _cycle_through(graph, key)
                if cycle:
                    in_loop.update(cycle)
                    self.fail(path, "forwarding loop: " + " -> ".join([*cycle, cycle[0]]))
        return resolved


def _cycle_through(graph: dict[str, list[str]], start: str) -> list[str] | None:
    """A path from ``start`` back to itself, if there is one (depth first)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    visited: set[str] = set()
    while stack:
        node, path = stack.pop()
        for successor in graph.get(node, []):
            if successor == start:
                return path
            if successor not in visited:
                visited.add(successor)
                stack.append((successor, [*path, successor]))
    return None


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
    forwards = check.forwarding(namespace, ns_path)
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
                requires_session=props.requires_session,
                forward_to=forwards[queue.name][0],
                forward_dead_lettered_messages_to=forwards[queue.name][1],
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
            forward_to, forward_dead_letters_to = forwards[f"{topic.name}/Subscriptions/{sub.name}"]
            subscriptions.append(
                SubscriptionSettings(
                    name=sub.name,
                    rules=tuple(r for r in rules if r is not None) if sub.rules else (DEFAULT_RULE,),
                    lock_duration=_seconds(sub_props.lock_duration),
                    max_delivery_count=sub_props.max_delivery_count,
                    default_message_ttl=_seconds(sub_props.default_message_ttl),
                    dead_lettering_on_message_expiration=sub_props.dead_lettering_on_message_expiration,
                    dead_lettering_on_filter_evaluation_exceptions=(
                        sub_props.dead_lettering_on_filter_evaluation_exceptions
                    ),
                    requires_session=sub_props.requires_session,
                    forward_to=forward_to,
                    forward_dead_lettered_messages_to=forward_dead_letters_to,
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
