"""Sessions: accepting and holding a session lock, receiving its messages, its state, and listing sessions."""

from __future__ import annotations

import asyncio

from servicebus_emulator.errors import InvalidOperationError, SessionCannotBeLockedError, SessionLockLostError
from servicebus_emulator.model import BrokerMessage, ReceiveMode, SubQueue
from servicebus_emulator.provider.entities import (
    SessionInfo,
    Target,
    _Entity,
    _session_lost,
    _SessionLock,
    _snapshot,
    _sub_queue_of,
)
from servicebus_emulator.provider.state import log
from servicebus_emulator.provider.timers import _Timers
from servicebus_emulator.store.base import DeleteMessage, PutSessionState, StoreOp, UpdateMessage


class _Sessions(_Timers):
    """Session locks, session receiving and session state."""

    def requires_session(self, target: Target) -> bool:
        """Whether receiving from ``target`` needs a session (the main queue of a session-enabled entity)."""
        entity = self._entity(target)
        return entity.requires_session and target.sub_queue is SubQueue.MAIN

    def _session_entity(self, target: Target) -> _Entity:
        entity = self._receivable(target)
        if not (entity.requires_session and target.sub_queue is SubQueue.MAIN):
            raise InvalidOperationError(
                f"'{target.address}' does not require sessions; it cannot be received from with a session"
            )
        return entity

    def accept_session(
        self, target: Target, session_id: str | None, owner: object
    ) -> tuple[str, float] | None:
        """Lock a session for ``owner``; returns its id and locked-until time.

        A named session can be accepted whether or not it holds messages (as in Azure); another owner's
        unexpired lock raises SessionCannotBeLockedError. With ``session_id`` None, the session of the
        oldest available message whose session nobody holds is taken, or None is returned when there is
        none (wait with `wait_session_change` and ask again).
        """
        entity = self._session_entity(target)
        now = self._clock.now()
        self.process_due(now)
        if session_id is None:
            session_id = self._next_session(entity)
            if session_id is None:
                return None
        else:
            held = entity.session_locks.get(session_id)
            if held is not None and held.owner is not owner:
                raise SessionCannotBeLockedError(
                    f"The requested session '{session_id}' cannot be accepted. "
                    "It may be locked by another receiver."
                )
        lock = _SessionLock(owner, now + entity.lock_duration)
        entity.session_locks[session_id] = lock
        self._arm_session(entity, session_id, lock.locked_until)
        log.info("session accepted", extra={"entity": entity.path, "session_id": session_id})
        return session_id, lock.locked_until

    def _next_session(self, entity: _Entity) -> str | None:
        for seq in sorted(entity.messages):
            message = entity.messages[seq]
            if (
                message.session_id is not None
                and message.session_id not in entity.session_locks
                and self._is_ready(message, SubQueue.MAIN)
            ):
                return message.session_id
        return None

    def _session_lock(self, entity: _Entity, session_id: str, owner: object | None = None) -> _SessionLock:
        lock = entity.session_locks.get(session_id)
        if lock is not None and lock.locked_until <= self._clock.now():
            self._submit(self._end_session(entity, session_id))
            lock = None
        if lock is None or (owner is not None and lock.owner is not owner):
            raise SessionLockLostError(_session_lost(session_id))
        return lock

    def take_session(
        self, target: Target, session_id: str, owner: object, mode: ReceiveMode, max_count: int
    ) -> list[BrokerMessage]:
        """Like `take`, for the holder of a session: its available messages in sequence order (FIFO).

        In peek-lock mode each message's lock lasts as long as the session lock. SessionLockLostError
        when ``owner`` no longer holds the session.
        """
        entity = self._session_entity(target)
        now = self._clock.now()
        self.process_due(now)
        lock = self._session_lock(entity, session_id, owner)
        taken: list[BrokerMessage] = []
        ops: list[StoreOp] = []
        for seq in sorted(entity.messages):
            if len(taken) >= max_count:
                break
            message = entity.messages.get(seq)
            if (
                message is None
                or message.session_id != session_id
                or not self._is_ready(message, SubQueue.MAIN)
            ):
                continue
            if message.expires_at <= now:
                ops.extend(self._expire(entity, message))
                continue
            if mode is ReceiveMode.PEEK_LOCK:
                self._lock(entity, message, now, until=lock.locked_until)
                ops.append(UpdateMessage(_snapshot(message)))
            else:
                del entity.messages[seq]
                ops.append(DeleteMessage(entity.key, seq))
            taken.append(_snapshot(message))
        self._submit(ops)
        return taken

    async def wait_session_change(self, target: Target) -> None:
        """Return at the next change that may give a session receiver something: a message becoming
        available or a session lock ending (bound it with `asyncio.timeout`)."""
        entity = self._session_entity(target)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = entity.waiters[SubQueue.MAIN]
        waiters.add(waiter)
        try:
            await waiter
        finally:
            waiters.discard(waiter)

    async def renew_session_lock(self, target: Target, session_id: str) -> float:
        """Extend the session lock (and the locks of its received messages) by LockDuration from now."""
        entity = self._session_entity(target)
        lock = self._session_lock(entity, session_id)
        lock.locked_until = self._clock.now() + entity.lock_duration
        self._arm_session(entity, session_id, lock.locked_until)
        ops: list[StoreOp] = []
        for message in entity.messages.values():
            if message.session_id == session_id and message.lock_token is not None:
                message.locked_until = lock.locked_until
                self._arm(entity, message)
                ops.append(UpdateMessage(_snapshot(message)))
        await self._commit(ops)
        return lock.locked_until

    def session_state(self, target: Target, session_id: str) -> bytes | None:
        """The state of a session the caller holds (None when never set)."""
        entity = self._session_entity(target)
        self._session_lock(entity, session_id)
        return entity.session_states.get(session_id)

    async def set_session_state(self, target: Target, session_id: str, state: bytes | None) -> None:
        """Set (None: clear) the state of a session the caller holds; durable with a data directory."""
        entity = self._session_entity(target)
        self._session_lock(entity, session_id)
        if state is None:
            entity.session_states.pop(session_id, None)
        else:
            entity.session_states[session_id] = state
        await self._commit([PutSessionState(entity.key, session_id, state)])

    async def release_session(self, target: Target, session_id: str, owner: object) -> None:
        """The holder went away: free the session and give back its unsettled messages."""
        entity = self._entities.get(target.key)
        if entity is None:
            return
        lock = entity.session_locks.get(session_id)
        if lock is None or lock.owner is not owner:
            return
        log.info("session released", extra={"entity": entity.path, "session_id": session_id})
        await self._commit(self._end_session(entity, session_id))

    def sessions(self, target: Target) -> list[SessionInfo]:
        """The sessions of a session-enabled entity that hold messages, a lock or state."""
        entity = self._entity(target)
        if not entity.requires_session:
            return []
        self.process_due()
        counts: dict[str, int] = {}
        for message in entity.messages.values():
            if message.session_id is not None and _sub_queue_of(message) is SubQueue.MAIN:
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
