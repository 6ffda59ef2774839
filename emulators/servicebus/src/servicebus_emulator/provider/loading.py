"""Building the entities from the namespace settings, and loading what the store kept."""

from __future__ import annotations

from servicebus_emulator.model import EntityKind, NamespaceSettings
from servicebus_emulator.provider.entities import _Entity
from servicebus_emulator.provider.indexes import _Indexes
from servicebus_emulator.provider.state import log


def _key(name: str | None) -> str | None:
    return name.casefold() if name else None


class _Loading(_Indexes):
    """Entities from the settings; messages, sequences, session states and duplicates from the store."""

    def _build(self, settings: NamespaceSettings) -> None:
        for queue in settings.queues:
            self._add(
                _Entity(
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
            topic = _Entity(
                key=topic_settings.name.casefold(),
                path=topic_settings.name,
                kind=EntityKind.TOPIC,
                default_ttl=topic_settings.default_message_ttl,
                requires_duplicate_detection=topic_settings.requires_duplicate_detection,
                duplicate_window=topic_settings.duplicate_detection_window,
                max_message_size=topic_settings.max_message_size,
            )
            self._add(topic)
            for sub in topic_settings.subscriptions:
                path = f"{topic_settings.name}/Subscriptions/{sub.name}"
                subscription = _Entity(
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
                self._add(subscription)

    def _add(self, entity: _Entity) -> None:
        if entity.key in self._entities:
            raise ValueError(f"entity {entity.path!r} is defined twice")
        self._entities[entity.key] = entity

    def _load(self) -> None:
        snapshot = self._store.load()
        orphans = 0
        for message in snapshot.messages:
            entity = self._entities.get(message.entity)
            if entity is None:
                orphans += 1
                continue
            entity.messages[message.sequence_number] = message
            entity.last_sequence = max(entity.last_sequence, message.sequence_number)
            if message.lock_token is not None and entity.requires_session:
                # Session locks are not persisted, so the message locks they covered end with them.
                message.lock_token = None
                message.locked_until = None
            if message.lock_token is not None:
                self._locks[message.lock_token] = (entity, message.sequence_number)
            else:
                self._make_ready(entity, message)
            self._arm(entity, message)
        for key, last in snapshot.sequences.items():
            if key in self._entities:
                entity = self._entities[key]
                entity.last_sequence = max(entity.last_sequence, last)
        for session_state in snapshot.session_states:
            if session_state.entity in self._entities and session_state.state is not None:
                self._entities[session_state.entity].session_states[session_state.session_id] = (
                    session_state.state
                )
        for duplicate in snapshot.duplicates:
            if duplicate.entity in self._entities:
                self._entities[duplicate.entity].duplicates[duplicate.message_id] = duplicate.seen_at
        if orphans:
            log.warning(
                "stored messages of entities missing from the config were left in the store",
                extra={"messages": orphans},
            )
        if snapshot.messages:
            log.info("store loaded", extra={"messages": len(snapshot.messages) - orphans})
