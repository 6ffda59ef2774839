"""`Addressing`: resolving addresses to entities, and the entity properties the AMQP layer needs."""

from __future__ import annotations

from dataclasses import dataclass

from servicebus_emulator.errors import EntityNotFoundError
from servicebus_emulator.model import EntityKind, SubQueue
from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.records import Target

DEAD_LETTER_SUFFIX = "/$deadletterqueue"


@dataclass(frozen=True, slots=True, eq=False)
class Addressing:
    """Addresses and per-entity limits."""

    entities: Entities

    def resolve(self, address: str) -> Target:
        """Resolve ``amqps://host:port/orders/$DeadLetterQueue``, ``orders``, ``topic/Subscriptions/sub``."""
        path = address
        if "://" in path:
            path = path.split("://", 1)[1].partition("/")[2]
        path = path.strip("/")
        sub_queue = SubQueue.MAIN
        if path.casefold().endswith(DEAD_LETTER_SUFFIX):
            path = path[: -len(DEAD_LETTER_SUFFIX)]
            sub_queue = SubQueue.DEAD_LETTER
        entity = self.entities.find(path.casefold())
        if entity is None or (sub_queue is SubQueue.DEAD_LETTER and entity.kind is EntityKind.TOPIC):
            raise EntityNotFoundError(address)
        return entity.target(sub_queue)

    def lock_duration(self, target: Target) -> float:
        return self.entities.get(target).lock_duration

    def max_message_size(self, target: Target) -> int:
        entity = self.entities.get(target)
        return (entity.topic or entity).max_message_size
