"""What the admin API shows and does: message counts per entity, the entity list, purge."""

from __future__ import annotations

from servicebus_emulator.model import EntityCounts, MessageState
from servicebus_emulator.provider.entities import EntityInfo, Target, _sub_queue_of
from servicebus_emulator.provider.state import log
from servicebus_emulator.provider.timers import _Timers
from servicebus_emulator.store.base import DeleteMessage


class _Inspection(_Timers):
    """Counts, entity listing and purge."""

    def counts(self, target: Target) -> EntityCounts:
        entity = self._entity(target)
        self.process_due()
        tally = {state: 0 for state in MessageState}
        locked = 0
        for message in entity.messages.values():
            tally[message.state] += 1
            locked += message.is_locked
        return EntityCounts(
            active=tally[MessageState.ACTIVE],
            dead_lettered=tally[MessageState.DEAD_LETTERED],
            scheduled=tally[MessageState.SCHEDULED],
            deferred=tally[MessageState.DEFERRED],
            locked=locked,
        )

    def entities(self) -> list[EntityInfo]:
        return [
            EntityInfo(
                path=entity.path,
                kind=entity.kind,
                counts=self.counts(entity.target()),
                topic=entity.topic.path if entity.topic else None,
            )
            for entity in self._entities.values()
        ]

    async def purge(self, target: Target) -> int:
        """Delete every message of the main queue (any state but dead-lettered) or the dead-letter queue."""
        entity = self._entity(target)
        doomed = [m for m in entity.messages.values() if _sub_queue_of(m) is target.sub_queue]
        for message in doomed:
            self._unlock(message)
            del entity.messages[message.sequence_number]
        entity.ready[target.sub_queue].clear()
        await self._commit([DeleteMessage(entity.key, m.sequence_number) for m in doomed])
        if doomed:
            log.info("entity purged", extra={"entity": target.address, "messages": len(doomed)})
        return len(doomed)
