"""`SessionStates`: the state a session receiver keeps with its session (durable with a data directory)."""

from __future__ import annotations

from dataclasses import dataclass

from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.journal import Journal
from servicebus_emulator.provider.records import Target
from servicebus_emulator.provider.session_locks import SessionLocks
from servicebus_emulator.store.base import PutSessionState


@dataclass(frozen=True, slots=True, eq=False)
class SessionStates:
    """Reading and setting a session's state, for the holder of its lock only."""

    entities: Entities
    session_locks: SessionLocks
    journal: Journal

    def session_state(self, target: Target, session_id: str) -> bytes | None:
        """The state of a session the caller holds (None when never set)."""
        entity = self.entities.session_receivable(target)
        self.session_locks.held(entity, session_id)
        return entity.session_states.get(session_id)

    async def set_session_state(self, target: Target, session_id: str, state: bytes | None) -> None:
        """Set (None: clear) the state of a session the caller holds; durable with a data directory."""
        entity = self.entities.session_receivable(target)
        self.session_locks.held(entity, session_id)
        if state is None:
            entity.session_states.pop(session_id, None)
        else:
            entity.session_states[session_id] = state
        await self.journal.commit([PutSessionState(entity.key, session_id, state)])
