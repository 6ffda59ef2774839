"""`Inspection`: what the admin API shows and does: message counts, the entity list, the sessions of an
entity, purge."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from servicebus_emulator.model import EntityCounts, MessageState, SubQueue
from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.indexes import Indexes
from servicebus_emulator.provider.journal import Journal
from servicebus_emulator.provider.records import EntityInfo, SessionInfo, Target, sub_queue_of
from servicebus_emulator.provider.timers import Timers
from servicebus_emulator.store.base import DeleteMessage

log = logging.getLogger(__package__)


@dataclass(frozen=True, slots=True, eq=False)
class Inspection:
    """Counts, entity and session listings (brought up to date first), and purge."""

    entities: Entities
    indexes: Indexes
    timers: Timers
    journal: Journal

    def counts(self, target: Target) -> EntityCounts:
        entity = self.entities.get(target)
        self.timers.process_due()
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

    def entity_infos(self) -> list[EntityInfo]:
        return [
            EntityInfo(
                path=entity.path,
                kind=entity.kind,
                counts=self.counts(entity.target()),
                topic=entity.topic.path if entity.topic else None,
            )
            for entity in self.entities
        ]

    def sessions(self, target: Target) -> list[SessionInfo]:
        """The sessions of a session-enabled entity that hold messages, a lock or state."""
        entity = self.entities.get(target)
        if not entity.requires_session:
            return []
        self.timers.process_due()
        counts: dict[str, int] = {}
        for message in entity.messages.values():
            if message.session_id is not None and sub_queue_of(message) is SubQueue.MAIN:
                counts[message.session_id] = counts.get(message.session_id, 0) + 1
        names = sorted({*counts, *entity.session_locks, *entity.session_states})
        return [
            SessionInfo(
                session_id=name,
                messages=counts.get(name, 0),
                locked_until=lock.locked_until if (lock := entity.session_locks.get(name)) else None,
                has_state=name in entity.session_states,
            )
            for name in names
        ]

    async def purge(self, target: Target) -> int:
        """Delete every message of the main queue (any state but dead-lettered) or the dead-letter queue."""
        entity = self.entities.get(target)
        doomed = [m for m in entity.messages.values() if sub_queue_of(m) is target.sub_queue]
        for message in doomed:
            self.indexes.unlock(message)
            del entity.messages[message.sequence_number]
        self.indexes.clear_ready(entity, target.sub_queue)
        await self.journal.commit([DeleteMessage(entity.key, m.sequence_number) for m in doomed])
        if doomed:
            log.info("entity purged", extra={"entity": target.address, "messages": len(doomed)})
        return len(doomed)
