"""`SessionLocks`: who holds which session of a session-enabled entity, and until when. A hold that ends
(expired, released) gives the session's unsettled messages back."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from emulator_common.clock import Clock

from servicebus_emulator.errors import SessionCannotBeLockedError, SessionLockLostError
from servicebus_emulator.model import SubQueue
from servicebus_emulator.provider.dead_lettering import DeadLettering
from servicebus_emulator.provider.indexes import Indexes
from servicebus_emulator.provider.journal import Journal
from servicebus_emulator.provider.records import Entity, SessionLock, session_lost, snapshot, sub_queue_of
from servicebus_emulator.provider.timer_queue import TimerQueue
from servicebus_emulator.store.base import StoreOp, UpdateMessage

log = logging.getLogger(__package__)


@dataclass(frozen=True, slots=True, eq=False)
class SessionLocks:
    """Taking, checking, renewing and ending session locks; a session lock bounds its messages' locks."""

    indexes: Indexes
    timer_queue: TimerQueue
    dead_lettering: DeadLettering
    journal: Journal
    clock: Clock

    def hold(self, entity: Entity, session_id: str, owner: object, now: float) -> SessionLock:
        """Lock the session for ``owner`` for the entity's LockDuration; SessionCannotBeLockedError when
        another owner holds it."""
        held = entity.session_locks.get(session_id)
        if held is not None and held.owner is not owner:
            raise SessionCannotBeLockedError(
                f"The requested session '{session_id}' cannot be accepted. "
                "It may be locked by another receiver."
            )
        lock = SessionLock(owner, now + entity.lock_duration)
        entity.session_locks[session_id] = lock
        self.timer_queue.arm_session(entity, session_id, lock.locked_until)
        return lock

    def held(self, entity: Entity, session_id: str, owner: object | None = None) -> SessionLock:
        """The session's unexpired lock (held by ``owner`` when given); SessionLockLostError otherwise."""
        lock = entity.session_locks.get(session_id)
        if lock is not None and lock.locked_until <= self.clock.now():
            self.journal.submit(self.end(entity, session_id))
            lock = None
        if lock is None or (owner is not None and lock.owner is not owner):
            raise SessionLockLostError(session_lost(session_id))
        return lock

    def renew(self, entity: Entity, session_id: str) -> tuple[float, list[StoreOp]]:
        """Extend the lock, and the locks of the session's received messages, by LockDuration from now;
        the new locked-until time and the store ops that record the message locks."""
        lock = self.held(entity, session_id)
        lock.locked_until = self.clock.now() + entity.lock_duration
        self.timer_queue.arm_session(entity, session_id, lock.locked_until)
        ops: list[StoreOp] = []
        for message in entity.messages.values():
            if message.session_id == session_id and message.lock_token is not None:
                message.locked_until = lock.locked_until
                self.timer_queue.arm(entity, message)
                ops.append(UpdateMessage(snapshot(message)))
        return lock.locked_until, ops

    def expire(self, entity: Entity, session_id: str, now: float) -> list[StoreOp]:
        """End the session's lock if it has run out by ``now`` (its timer came due)."""
        lock = entity.session_locks.get(session_id)
        if lock is None or lock.locked_until > now:
            return []
        log.info("session lock expired", extra={"entity": entity.path, "session_id": session_id})
        return self.end(entity, session_id)

    def end(self, entity: Entity, session_id: str) -> list[StoreOp]:
        """Free the session; each of its messages still locked counts a failed delivery attempt."""
        entity.session_locks.pop(session_id, None)
        ops: list[StoreOp] = []
        for message in list(entity.messages.values()):
            if (
                message.session_id == session_id
                and message.lock_token is not None
                and sub_queue_of(message) is SubQueue.MAIN
            ):
                ops.extend(self.dead_lettering.lock_lost(entity, message))
        self.indexes.wake(entity, SubQueue.MAIN)
        return ops
