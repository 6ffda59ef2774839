"""`Indexes`: what is kept beside each entity's messages so nothing has to scan or poll: the ready heaps
receivers take from, the receivers waiting on them, and the lock-token table."""

from __future__ import annotations

import asyncio
import heapq
import uuid
from dataclasses import dataclass, field

from servicebus_emulator.model import BrokerMessage, MessageState, ReceiveMode, SubQueue
from servicebus_emulator.provider.records import Entity, is_ready, snapshot, sub_queue_of
from servicebus_emulator.provider.timer_queue import TimerQueue
from servicebus_emulator.store.base import DeleteMessage, StoreOp, UpdateMessage


@dataclass(frozen=True, slots=True, eq=False)
class Indexes:
    """Ready heaps and their waiters; message locks by token (a lock arms its expiry in the timer queue)."""

    timer_queue: TimerQueue
    _locks: dict[uuid.UUID, tuple[Entity, int]] = field(default_factory=dict, init=False, repr=False)

    def has_ready(self, entity: Entity, sub_queue: SubQueue) -> bool:
        ready = entity.ready[sub_queue]
        while ready:
            message = entity.messages.get(ready[0])
            if message is not None and is_ready(message, sub_queue):
                return True
            heapq.heappop(ready)
        return False

    def pop_ready(self, entity: Entity, sub_queue: SubQueue) -> BrokerMessage | None:
        """The ready message with the lowest sequence number, off the heap; None when there is none."""
        ready = entity.ready[sub_queue]
        while ready:
            message = entity.messages.get(heapq.heappop(ready))
            if message is not None and is_ready(message, sub_queue):
                return message
        return None

    def make_ready(self, entity: Entity, message: BrokerMessage) -> None:
        if message.lock_token is not None or message.state not in (
            MessageState.ACTIVE,
            MessageState.DEAD_LETTERED,
        ):
            return
        sub_queue = sub_queue_of(message)
        # A session receiver finds its messages by session (`Sessions.take_session`), not through the heap.
        if not (entity.requires_session and sub_queue is SubQueue.MAIN):
            heapq.heappush(entity.ready[sub_queue], message.sequence_number)
        self.wake(entity, sub_queue)

    def clear_ready(self, entity: Entity, sub_queue: SubQueue) -> None:
        entity.ready[sub_queue].clear()

    @staticmethod
    def wake(entity: Entity, sub_queue: SubQueue) -> None:
        for waiter in entity.waiters[sub_queue]:
            if not waiter.done():
                waiter.set_result(None)

    @staticmethod
    async def wait(entity: Entity, sub_queue: SubQueue) -> None:
        """Return at the next `wake` of this sub-queue."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = entity.waiters[sub_queue]
        waiters.add(waiter)
        try:
            await waiter
        finally:
            waiters.discard(waiter)

    def lock(self, entity: Entity, message: BrokerMessage, now: float, until: float | None = None) -> None:
        message.lock_token = uuid.uuid4()
        message.locked_until = now + entity.lock_duration if until is None else until
        self._locks[message.lock_token] = (entity, message.sequence_number)
        self.timer_queue.arm(entity, message)

    def hand_out(
        self,
        entity: Entity,
        message: BrokerMessage,
        mode: ReceiveMode,
        now: float,
        until: float | None = None,
    ) -> StoreOp:
        """Give ``message`` to a receiver: locked (as `lock`) in peek-lock mode, taken out of ``entity`` in
        receive-and-delete mode; returns the store op that records it."""
        if mode is ReceiveMode.PEEK_LOCK:
            self.lock(entity, message, now, until)
            return UpdateMessage(snapshot(message))
        del entity.messages[message.sequence_number]
        return DeleteMessage(entity.key, message.sequence_number)

    def adopt_lock(self, entity: Entity, message: BrokerMessage) -> None:
        """Index the lock a message came back from the store with."""
        assert message.lock_token is not None
        self._locks[message.lock_token] = (entity, message.sequence_number)

    def unlock(self, message: BrokerMessage) -> None:
        if message.lock_token is not None:
            self._locks.pop(message.lock_token, None)
        message.lock_token = None
        message.locked_until = None

    def holder(self, lock_token: uuid.UUID) -> tuple[Entity, BrokerMessage] | None:
        """The message that holds ``lock_token`` and its entity; None when no message does (any more),
        whether or not the lock has expired."""
        ref = self._locks.get(lock_token)
        if ref is None:
            return None
        entity, seq = ref
        message = entity.messages.get(seq)
        if message is None or message.lock_token != lock_token:
            self._locks.pop(lock_token, None)
            return None
        return entity, message
