"""`Sequences`: sequence numbers handed out beyond a send's own, and the store ops that record them."""

from __future__ import annotations

from servicebus_emulator.provider.records import Entity
from servicebus_emulator.store.base import SetSequence, StoreOp


class Sequences:
    """Numbers new messages and remembers whose last sequence number the store has yet to record."""

    def __init__(self) -> None:
        self._unrecorded: dict[str, Entity] = {}

    def next(self, entity: Entity) -> int:
        """A new sequence number of ``entity``, recorded with the next `ops`."""
        entity.last_sequence += 1
        self.record(entity)
        return entity.last_sequence

    def record(self, entity: Entity) -> None:
        """Have the next `ops` record ``entity``'s last sequence number."""
        self._unrecorded[entity.key] = entity

    def ops(self) -> list[StoreOp]:
        ops: list[StoreOp] = [
            SetSequence(key, entity.last_sequence) for key, entity in self._unrecorded.items()
        ]
        self._unrecorded.clear()
        return ops
