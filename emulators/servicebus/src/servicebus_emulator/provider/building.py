"""`build_entities`: the namespace's queues, topics and subscriptions, as the settings declare them.

A queue takes the settings of an entity sent to (as a topic does) and of an entity received from (as a
subscription does); each of those two groups is read from the settings in one place."""

from __future__ import annotations

from typing import TypedDict

from servicebus_emulator.model import (
    EntityKind,
    NamespaceSettings,
    QueueSettings,
    SubscriptionSettings,
    TopicSettings,
)
from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.records import Entity


class _SentToFields(TypedDict):
    """The `Entity` fields of a queue or topic about the messages sent to it."""

    default_ttl: float
    requires_duplicate_detection: bool
    duplicate_window: float
    max_message_size: int


class _ReceivedFromFields(TypedDict):
    """The `Entity` fields of a queue or subscription about receiving from it."""

    lock_duration: float
    max_delivery_count: int
    dead_letter_on_expiry: bool
    requires_session: bool
    forward_to: str | None
    forward_dead_letters_to: str | None


def _key(name: str | None) -> str | None:
    return name.casefold() if name else None


def _sent_to(settings: QueueSettings | TopicSettings) -> _SentToFields:
    return _SentToFields(
        default_ttl=settings.default_message_ttl,
        requires_duplicate_detection=settings.requires_duplicate_detection,
        duplicate_window=settings.duplicate_detection_window,
        max_message_size=settings.max_message_size,
    )


def _received_from(settings: QueueSettings | SubscriptionSettings) -> _ReceivedFromFields:
    return _ReceivedFromFields(
        lock_duration=settings.lock_duration,
        max_delivery_count=settings.max_delivery_count,
        dead_letter_on_expiry=settings.dead_lettering_on_message_expiration,
        requires_session=settings.requires_session,
        forward_to=_key(settings.forward_to),
        forward_dead_letters_to=_key(settings.forward_dead_lettered_messages_to),
    )


def build_entities(settings: NamespaceSettings) -> Entities:
    """Every entity of the settings, empty; ValueError names an entity defined twice."""
    entities = Entities()
    for queue in settings.queues:
        entities.add(
            Entity(
                key=queue.name.casefold(),
                path=queue.name,
                kind=EntityKind.QUEUE,
                **_sent_to(queue),
                **_received_from(queue),
            )
        )
    for topic_settings in settings.topics:
        topic = Entity(
            key=topic_settings.name.casefold(),
            path=topic_settings.name,
            kind=EntityKind.TOPIC,
            **_sent_to(topic_settings),
        )
        entities.add(topic)
        for sub in topic_settings.subscriptions:
            path = f"{topic_settings.name}/Subscriptions/{sub.name}"
            subscription = Entity(
                key=path.casefold(),
                path=path,
                kind=EntityKind.SUBSCRIPTION,
                default_ttl=sub.default_message_ttl,
                max_message_size=topic_settings.max_message_size,
                rules=sub.rules,
                dead_letter_on_filter_errors=sub.dead_lettering_on_filter_evaluation_exceptions,
                topic=topic,
                **_received_from(sub),
            )
            topic.subscriptions.append(subscription)
            entities.add(subscription)
    return entities
