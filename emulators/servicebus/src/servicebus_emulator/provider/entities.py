"""`Entities`: the namespace's queues, topics and subscriptions by key, and the checks that an address
suits what is asked of it."""

from __future__ import annotations

from collections.abc import Iterator

from servicebus_emulator.errors import EntityNotFoundError, InvalidOperationError
from servicebus_emulator.model import EntityKind, SubQueue
from servicebus_emulator.provider.records import Entity, Target


class Entities:
    """Entity lookup by key or resolved address; refuses addresses that cannot do what is asked."""

    def __init__(self) -> None:
        self._by_key: dict[str, Entity] = {}

    def add(self, entity: Entity) -> None:
        if entity.key in self._by_key:
            raise ValueError(f"entity {entity.path!r} is defined twice")
        self._by_key[entity.key] = entity

    def __iter__(self) -> Iterator[Entity]:
        return iter(self._by_key.values())

    def find(self, key: str) -> Entity | None:
        return self._by_key.get(key)

    def by_key(self, key: str) -> Entity:
        """An entity the provider itself refers to (a forwarding target, a timer): it always exists."""
        return self._by_key[key]

    def get(self, target: Target) -> Entity:
        entity = self._by_key.get(target.key)
        if entity is None:
            raise EntityNotFoundError(target.path)
        return entity

    def receivable(self, target: Target) -> Entity:
        entity = self.get(target)
        if entity.kind is EntityKind.TOPIC:
            raise InvalidOperationError(
                f"cannot receive from topic '{entity.path}'; receive from a subscription"
            )
        return entity

    def session_receivable(self, target: Target) -> Entity:
        """The entity of ``target`` if a session receiver may use it: the main queue of a session-enabled
        queue or subscription."""
        entity = self.receivable(target)
        if not (entity.requires_session and target.sub_queue is SubQueue.MAIN):
            raise InvalidOperationError(
                f"'{target.address}' does not require sessions; it cannot be received from with a session"
            )
        return entity
