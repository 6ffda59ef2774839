"""`Sessions`: what a session receiver does: accept a session, receive its messages, renew and release
its lock."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from emulator_common.clock import Clock

from servicebus_emulator.model import BrokerMessage, ReceiveMode, SubQueue
from servicebus_emulator.provider.dead_lettering import DeadLettering
from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.indexes import Indexes
from servicebus_emulator.provider.journal import Journal
from servicebus_emulator.provider.records import Entity, Target, is_ready, snapshot
from servicebus_emulator.provider.session_locks import SessionLocks
from servicebus_emulator.provider.timers import Timers
from servicebus_emulator.store.base import StoreOp

log = logging.getLogger(__package__)


@dataclass(frozen=True, slots=True, eq=False)
class Sessions:
    """Session acceptance, session receiving (FIFO within a session), lock renewal and release."""

    entities: Entities
    session_locks: SessionLocks
    indexes: Indexes
    timers: Timers
    dead_lettering: DeadLettering
    journal: Journal
    clock: Clock

    def requires_session(self, target: Target) -> bool:
        """Whether receiving from ``target`` needs a session (the main queue of a session-enabled entity)."""
        entity = self.entities.get(target)
        return entity.requires_session and target.sub_queue is SubQueue.MAIN

    def accept_session(
        self, target: Target, session_id: str | None, owner: object
    ) -> tuple[str, float] | None:
        """Lock a session for ``owner``; returns its id and locked-until time.

        A named session can be accepted whether or not it holds messages (as in Azure); another owner's
        unexpired lock raises SessionCannotBeLockedError. With ``session_id`` None, the session of the
        oldest available message whose session nobody holds is taken, or None is returned when there is
        none (wait with `wait_session_change` and ask again).
        """
        entity = self.entities.session_receivable(target)
        now = self.clock.now()
        self.timers.process_due(now)
        if session_id is None:
            session_id = self._next_session(entity)
            if session_id is None:
                return None
        lock = self.session_locks.hold(entity, session_id, owner, now)
        log.info("session accepted", extra={"entity": entity.path, "session_id": session_id})
        return session_id, lock.locked_until

    @staticmethod
    def _next_session(entity: Entity) -> str | None:
        for seq in sorted(entity.messages):
            message = entity.messages[seq]
            if (
                message.session_id is not None
                and message.session_id not in entity.session_locks
                and is_ready(message, SubQueue.MAIN)
            ):
                return message.session_id
        return None

    def take_session(
        self, target: Target, session_id: str, owner: object, mode: ReceiveMode, max_count: int
    ) -> list[BrokerMessage]:
        """Like `Receiving.take`, for the holder of a session: its available messages in sequence order
        (FIFO).

        In peek-lock mode each message's lock lasts as long as the session lock. SessionLockLostError
        when ``owner`` no longer holds the session.
        """
        entity = self.entities.session_receivable(target)
        now = self.clock.now()
        self.timers.process_due(now)
        lock = self.session_locks.held(entity, session_id, owner)
        taken: list[BrokerMessage] = []
        ops: list[StoreOp] = []
        for seq in sorted(entity.messages):
            if len(taken) >= max_count:
                break
            message = entity.messages.get(seq)
            if message is None or message.session_id != session_id or not is_ready(message, SubQueue.MAIN):
                continue
            if message.expires_at <= now:
                ops.extend(self.dead_lettering.expire(entity, message))
                continue
            ops.append(self.indexes.hand_out(entity, message, mode, now, until=lock.locked_until))
            taken.append(snapshot(message))
        self.journal.submit(ops)
        return taken

    async def wait_session_change(self, target: Target) -> None:
        """Return at the next change that may give a session receiver something: a message becoming
        available or a session lock ending (bound it with `asyncio.timeout`)."""
        entity = self.entities.session_receivable(target)
        await self.indexes.wait(entity, SubQueue.MAIN)

    async def renew_session_lock(self, target: Target, session_id: str) -> float:
        """Extend the session lock (and the locks of its received messages) by LockDuration from now."""
        entity = self.entities.session_receivable(target)
        locked_until, ops = self.session_locks.renew(entity, session_id)
        await self.journal.commit(ops)
        return locked_until

    async def release_session(self, target: Target, session_id: str, owner: object) -> None:
        """The holder went away: free the session and give back its unsettled messages."""
        entity = self.entities.find(target.key)
        if entity is None:
            return
        lock = entity.session_locks.get(session_id)
        if lock is None or lock.owner is not owner:
            return
        log.info("session released", extra={"entity": entity.path, "session_id": session_id})
        await self.journal.commit(self.session_locks.end(entity, session_id))
