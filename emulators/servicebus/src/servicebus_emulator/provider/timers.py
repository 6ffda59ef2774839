"""What changes by itself as time passes: scheduled messages coming due, message and session locks
running out, messages expiring. `process_due` applies it; `start` runs it on a timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import math

from servicebus_emulator.model import BrokerMessage, EntityKind, MessageState, SubQueue
from servicebus_emulator.provider.dead_lettering import _DeadLettering
from servicebus_emulator.provider.entities import _Entity, _snapshot, _sub_queue_of
from servicebus_emulator.provider.state import log
from servicebus_emulator.store.base import DeleteMessage, StoreOp, UpdateMessage

_IDLE_TIMER = 60.0


class _Timers(_DeadLettering):
    """The timer task and everything it applies when due."""

    def start(self) -> None:
        """Start the timer that applies lock expiries, TTL and scheduled messages as they come due."""
        if self._runner is None:
            self._runner = asyncio.get_running_loop().create_task(self._run(), name="servicebus-timers")

    async def close(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        await self._store.close()

    async def _run(self) -> None:
        while True:
            try:
                self.process_due()
            except Exception:
                log.exception("applying due timers failed")
            due = min(
                self._timers[0][0] if self._timers else math.inf,
                self._session_timers[0][0] if self._session_timers else math.inf,
            )
            delay = due - self._clock.now() if not math.isinf(due) else _IDLE_TIMER
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=min(max(delay, 0.0), _IDLE_TIMER))

    def process_due(self, now: float | None = None) -> None:
        """Apply everything due by ``now``: scheduled messages, expired locks, expired messages."""
        now = self._clock.now() if now is None else now
        ops: list[StoreOp] = []
        while self._session_timers and self._session_timers[0][0] <= now:
            _, key, session_id = heapq.heappop(self._session_timers)
            entity = self._entities[key]
            lock = entity.session_locks.get(session_id)
            if lock is not None and lock.locked_until <= now:
                log.info("session lock expired", extra={"entity": entity.path, "session_id": session_id})
                ops.extend(self._end_session(entity, session_id))
        while self._timers and self._timers[0][0] <= now:
            _, key, seq = heapq.heappop(self._timers)
            entity = self._entities[key]
            message = entity.messages.get(seq)
            if message is not None:
                ops.extend(self._apply_due(entity, message, now))
        self._submit(ops)

    def _apply_due(self, entity: _Entity, message: BrokerMessage, now: float) -> list[StoreOp]:
        if message.state is MessageState.SCHEDULED:
            assert message.scheduled_enqueue_time is not None
            if message.scheduled_enqueue_time > now:
                return []
            return self._enqueue_scheduled(entity, message)
        if message.locked_until is not None:
            if message.locked_until > now:
                return []
            ops = self._lock_lost(entity, message)
            if message.state is MessageState.DEAD_LETTERED or message.expires_at > now:
                return ops
            return [*ops, *self._expire(entity, message)]
        if message.state in (MessageState.ACTIVE, MessageState.DEFERRED) and message.expires_at <= now:
            return self._expire(entity, message)
        return []

    def _enqueue_scheduled(self, entity: _Entity, message: BrokerMessage) -> list[StoreOp]:
        message.state = MessageState.ACTIVE
        if entity.kind is EntityKind.TOPIC:
            del entity.messages[message.sequence_number]
            arrived = self._fan_out(entity, message)
        elif entity.forward_to is not None:
            del entity.messages[message.sequence_number]
            arrived = self._arrive(entity, message)
        else:
            self._make_ready(entity, message)
            self._arm(entity, message)
            return [UpdateMessage(_snapshot(message))]
        ops: list[StoreOp] = [DeleteMessage(entity.key, message.sequence_number)]
        return [*ops, *self._place(arrived), *self._sequence_ops()]

    def _end_session(self, entity: _Entity, session_id: str) -> list[StoreOp]:
        entity.session_locks.pop(session_id, None)
        ops: list[StoreOp] = []
        for message in list(entity.messages.values()):
            if (
                message.session_id == session_id
                and message.lock_token is not None
                and _sub_queue_of(message) is SubQueue.MAIN
            ):
                ops.extend(self._lock_lost(entity, message))
        self._wake(entity, SubQueue.MAIN)
        return ops
