"""What is kept beside each entity's messages so nothing has to scan or poll.

The ready heaps receivers take from (and the waiters they wake), the lock-token table, and the timer
heaps that `process_due` works through.
"""

from __future__ import annotations

import heapq
import math
import uuid

from servicebus_emulator.model import BrokerMessage, MessageState, SubQueue
from servicebus_emulator.provider.entities import _Entity, _sub_queue_of
from servicebus_emulator.provider.state import _State


class _Indexes(_State):
    """Ready heaps, waiters, message locks and timer arming."""

    def _has_ready(self, entity: _Entity, sub_queue: SubQueue) -> bool:
        ready = entity.ready[sub_queue]
        while ready:
            message = entity.messages.get(ready[0])
            if message is not None and self._is_ready(message, sub_queue):
                return True
            heapq.heappop(ready)
        return False

    @staticmethod
    def _is_ready(message: BrokerMessage, sub_queue: SubQueue) -> bool:
        if message.lock_token is not None:
            return False
        if sub_queue is SubQueue.DEAD_LETTER:
            return message.state is MessageState.DEAD_LETTERED
        return message.state is MessageState.ACTIVE

    def _make_ready(self, entity: _Entity, message: BrokerMessage) -> None:
        if message.lock_token is not None or message.state not in (
            MessageState.ACTIVE,
            MessageState.DEAD_LETTERED,
        ):
            return
        sub_queue = _sub_queue_of(message)
        # A session receiver finds its messages by session (`take_session`), not through the heap.
        if not (entity.requires_session and sub_queue is SubQueue.MAIN):
            heapq.heappush(entity.ready[sub_queue], message.sequence_number)
        self._wake(entity, sub_queue)

    @staticmethod
    def _wake(entity: _Entity, sub_queue: SubQueue) -> None:
        for waiter in entity.waiters[sub_queue]:
            if not waiter.done():
                waiter.set_result(None)

    def _lock(self, entity: _Entity, message: BrokerMessage, now: float, until: float | None = None) -> None:
        message.lock_token = uuid.uuid4()
        message.locked_until = now + entity.lock_duration if until is None else until
        self._locks[message.lock_token] = (entity, message.sequence_number)
        self._arm(entity, message)

    def _unlock(self, message: BrokerMessage) -> None:
        if message.lock_token is not None:
            self._locks.pop(message.lock_token, None)
        message.lock_token = None
        message.locked_until = None

    def _arm(self, entity: _Entity, message: BrokerMessage) -> None:
        """Register the next instant at which this message's state may change by itself."""
        if message.state is MessageState.SCHEDULED:
            due = message.scheduled_enqueue_time
        elif message.locked_until is not None:
            due = message.locked_until
        elif message.state in (MessageState.ACTIVE, MessageState.DEFERRED):
            due = message.expires_at
        else:
            return
        if due is None or math.isinf(due):
            return
        earliest = self._timers[0][0] if self._timers else math.inf
        heapq.heappush(self._timers, (due, entity.key, message.sequence_number))
        if due < earliest:
            self._wakeup.set()

    def _arm_session(self, entity: _Entity, session_id: str, due: float) -> None:
        earliest = self._session_timers[0][0] if self._session_timers else math.inf
        heapq.heappush(self._session_timers, (due, entity.key, session_id))
        if due < earliest:
            self._wakeup.set()
