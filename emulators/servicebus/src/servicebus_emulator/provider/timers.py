"""`Timers`: what changes by itself as time passes (scheduled messages coming due, message and session
locks running out, messages expiring). `process_due` applies it; `start` runs it on a timer task."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from dataclasses import dataclass, field

from emulator_common.clock import Clock

from servicebus_emulator.model import BrokerMessage, MessageState
from servicebus_emulator.provider.dead_lettering import DeadLettering
from servicebus_emulator.provider.delivery import Delivery
from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.journal import Journal
from servicebus_emulator.provider.records import Entity
from servicebus_emulator.provider.session_locks import SessionLocks
from servicebus_emulator.provider.timer_queue import TimerQueue
from servicebus_emulator.store.base import StoreOp

_IDLE_TIMER = 60.0

log = logging.getLogger(__package__)


@dataclass(eq=False)
class Timers:
    """Applies the due entries of the timer queue, on demand and from its own task."""

    entities: Entities
    timer_queue: TimerQueue
    delivery: Delivery
    dead_lettering: DeadLettering
    session_locks: SessionLocks
    journal: Journal
    clock: Clock
    _runner: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    def start(self) -> None:
        """Start the timer that applies lock expiries, TTL and scheduled messages as they come due."""
        if self._runner is None:
            self._runner = asyncio.get_running_loop().create_task(self._run(), name="servicebus-timers")

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None

    async def _run(self) -> None:
        while True:
            try:
                self.process_due()
            except Exception:
                log.exception("applying due timers failed")
            due = self.timer_queue.next_due()
            delay = due - self.clock.now() if not math.isinf(due) else _IDLE_TIMER
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(max(delay, 0.0), _IDLE_TIMER)):
                    await self.timer_queue.earlier_armed()

    def process_due(self, now: float | None = None) -> None:
        """Apply everything due by ``now``: scheduled messages, expired locks, expired messages."""
        now = self.clock.now() if now is None else now
        ops: list[StoreOp] = []
        while (session_due := self.timer_queue.pop_due_session(now)) is not None:
            key, session_id = session_due
            ops.extend(self.session_locks.expire(self.entities.by_key(key), session_id, now))
        # Applying one timer may arm another that is already due (a scheduled message coming due past its
        # TTL), so the heap is read again each time rather than the due entries taken up front.
        while (message_due := self.timer_queue.pop_due_message(now)) is not None:
            key, seq = message_due
            entity = self.entities.by_key(key)
            message = entity.messages.get(seq)
            if message is not None:
                ops.extend(self._apply_due(entity, message, now))
        self.journal.submit(ops)

    def _apply_due(self, entity: Entity, message: BrokerMessage, now: float) -> list[StoreOp]:
        if message.state is MessageState.SCHEDULED:
            assert message.scheduled_enqueue_time is not None
            if message.scheduled_enqueue_time > now:
                return []
            return self.delivery.enqueue_scheduled(entity, message)
        if message.locked_until is not None:
            if message.locked_until > now:
                return []
            ops = self.dead_lettering.lock_lost(entity, message)
            if message.state is MessageState.DEAD_LETTERED or message.expires_at > now:
                return ops
            return [*ops, *self.dead_lettering.expire(entity, message)]
        if message.state in (MessageState.ACTIVE, MessageState.DEFERRED) and message.expires_at <= now:
            return self.dead_lettering.expire(entity, message)
        return []
