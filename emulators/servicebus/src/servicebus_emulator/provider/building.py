"""`build_entities`: the namespace's queues, topics and subscriptions, as the settings declare them."""

from __future__ import annotations

from servicebus_emulator.model import EntityKind, NamespaceSettings
from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.records import Entity


def _key(name: str | None) -> str | None:
    return name.casefold() if name else None


def build_entities(settings: NamespaceSettings) -> Entities:
    """Every entity of the settings, empty; ValueError names an entity defined twice."""
    entities = Entities()
    for queue in settings.queues:
        entities.add(
            Entity(
                key=queue.name.casefold(),
                path=queue.name,
                kind=EntityKind.QUEUE,
                lock_duration=queue.lock_duration,
                max_delivery_count=queue.max_delivery_count,
                default_ttl=queue.default_message_ttl,
                dead_letter_on_expiry=queue.dead_lettering_on_message_expiration,
                requires_duplicate_detection=queue.requires_duplicate_detection,
                duplicate_window=queue.duplicate_detection_window,
                max_message_size=queue.max_message_size,
                requires_session=queue.requires_session,
                forward_to=_key(queue.forward_to),
                forward_dead_letters_to=_key(queue.forward_dead_lettered_messages_to),
            )
        )
    for topic_settings in settings.topics:
        topic = Entity(
            key=topic_settings.name.casefold(),
            path=topic_settings.name,
            kind=EntityKind.TOPIC,
            default_ttl=topic_settings.default_message_ttl,
            requires_duplicate_detection=topic_settings.requires_duplicate_detection,
            duplicate_window=topic_settings.duplicate_detection_window,
            max_message_size=topic_settings.max_message_size,
        )
        entities.add(topic)
        for sub in topic_settings.subscriptions:
            path = f"{topic_settings.name}/Subscriptions/{sub.name}"
            subscription = Entity(
                key=path.casefold(),
                path=path,
                kind=EntityKind.SUBSCRIPTION,
                lock_duration=sub.lock_duration,
                max_delivery_count=sub.max_delivery_count,
                default_ttl=sub.default_message_ttl,
                dead_letter_on_expiry=sub.dead_lettering_on_message_expiration,
                max_message_size=topic_settings.max_message_size,
                rules=sub.rules,
                dead_letter_on_filter_errors=sub.dead_lettering_on_filter_evaluation_exceptions,
                requires_session=sub.requires_session,
                forward_to=_key(sub.forward_to),
                forward_dead_letters_to=_key(sub.forward_dead_lettered_messages_to),
                topic=topic,
            )
            topic.subscriptions.append(subscription)
            entities.add(subscription)
    return entities
