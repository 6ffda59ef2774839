"""`Loader`: what the store kept (messages, sequences, session states, duplicates), put back into the
entities and their indexes at start."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.indexes import Indexes
from servicebus_emulator.provider.timer_queue import TimerQueue
from servicebus_emulator.store.base import Snapshot

log = logging.getLogger(__package__)


@dataclass(frozen=True, slots=True, eq=False)
class Loader:
    """Fills freshly built entities from a store snapshot, indexing and arming each message."""

    entities: Entities
    indexes: Indexes
    timer_queue: TimerQueue

    def load(self, kept: Snapshot) -> None:
        orphans = 0
        for message in kept.messages:
            entity = self.entities.find(message.entity)
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
                self.indexes.adopt_lock(entity, message)
            else:
                self.indexes.make_ready(entity, message)
            self.timer_queue.arm(entity, message)
        for key, last in kept.sequences.items():
            sequenced = self.entities.find(key)
            if sequenced is not None:
                sequenced.last_sequence = max(sequenced.last_sequence, last)
        for session_state in kept.session_states:
            holder = self.entities.find(session_state.entity)
            if holder is not None and session_state.state is not None:
                holder.session_states[session_state.session_id] = session_state.state
        for duplicate in kept.duplicates:
            detecting = self.entities.find(duplicate.entity)
            if detecting is not None:
                detecting.duplicates[duplicate.message_id] = duplicate.seen_at
        if orphans:
            log.warning(
                "stored messages of entities missing from the config were left in the store",
                extra={"messages": orphans},
            )
        if kept.messages:
            log.info("store loaded", extra={"messages": len(kept.messages) - orphans})
