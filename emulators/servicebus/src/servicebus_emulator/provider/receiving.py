"""Receiving without sessions: take, wait, receive, deferred messages by sequence number, and peek."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Iterable

from servicebus_emulator.errors import InvalidOperationError, MessageNotFoundError
from servicebus_emulator.model import BrokerMessage, MessageState, ReceiveMode, SubQueue
from servicebus_emulator.provider.entities import Target, _snapshot, _sub_queue_of
from servicebus_emulator.provider.timers import _Timers
from servicebus_emulator.store.base import DeleteMessage, StoreOp, UpdateMessage


class _Receiving(_Timers):
    """Taking messages (peek-lock or receive-and-delete) and peeking."""

    def take(self, target: Target, mode: ReceiveMode, max_count: int) -> list[BrokerMessage]:
        """Up to ``max_count`` messages available now, in sequence order; never waits.

        Peek-lock: each returned message is locked (``lock_token``, ``locked_until``). Receive-and-delete:
        each is removed. The returned records are copies, safe to keep.
        """
        entity = self._receivable(target)
        if entity.requires_session and target.sub_queue is SubQueue.MAIN:
            raise InvalidOperationError(
                f"'{entity.path}' requires sessions: it is not possible to receive from it without "
                "accepting a session"
            )
        now = self._clock.now()
        self.process_due(now)
        ready = entity.ready[target.sub_queue]
        taken: list[BrokerMessage] = []
        ops: list[StoreOp] = []
        while ready and len(taken) < max_count:
            seq = heapq.heappop(ready)
            message = entity.messages.get(seq)
            if message is None or not self._is_ready(message, target.sub_queue):
                continue
            if message.state is MessageState.ACTIVE and message.expires_at <= now:
                ops.extend(self._expire(entity, message))
                continue
            if mode is ReceiveMode.PEEK_LOCK:
                self._lock(entity, message, now)
                ops.append(UpdateMessage(_snapshot(message)))
            else:
                del entity.messages[seq]
                ops.append(DeleteMessage(entity.key, seq))
            taken.append(_snapshot(message))
        self._submit(ops)
        return taken

    async def wait_available(self, target: Target) -> None:
        """Return as soon as ``target`` may have a message to take (bound it with `asyncio.timeout`).

        This is a hint: a competing receiver may take the message first.
        """
        entity = self._receivable(target)
        if self._has_ready(entity, target.sub_queue):
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = entity.waiters[target.sub_queue]
        waiters.add(waiter)
        try:
            await waiter
        finally:
            waiters.discard(waiter)

    async def receive(self, target: Target, mode: ReceiveMode, max_count: int) -> list[BrokerMessage]:
        """At least one message, up to ``max_count``, waiting for them (bound it with `asyncio.timeout`)."""
        while True:
            taken = self.take(target, mode, max_count)
            if taken:
                return taken
            await self.wait_available(target)

    async def receive_deferred(
        self, target: Target, sequence_numbers: Iterable[int], mode: ReceiveMode
    ) -> list[BrokerMessage]:
        """Deferred messages by sequence number, all or none (MessageNotFoundError names a missing one)."""
        entity = self._receivable(target)
        now = self._clock.now()
        self.process_due(now)
        wanted = list(sequence_numbers)
        for seq in wanted:
            message = entity.messages.get(seq)
            if (
                message is None
                or target.sub_queue is SubQueue.DEAD_LETTER
                or message.state is not MessageState.DEFERRED
                or message.is_locked
            ):
                raise MessageNotFoundError(seq)
        ops: list[StoreOp] = []
        taken = []
        for seq in wanted:
            message = entity.messages[seq]
            if mode is ReceiveMode.PEEK_LOCK:
                self._lock(entity, message, now)
                ops.append(UpdateMessage(_snapshot(message)))
            else:
                del entity.messages[seq]
                ops.append(DeleteMessage(entity.key, seq))
            taken.append(_snapshot(message))
        await self._commit(ops)
        return taken

    def peek(
        self, target: Target, from_sequence_number: int, count: int, session_id: str | None = None
    ) -> list[BrokerMessage]:
        """Messages from a sequence number on, without locking (locked, deferred and scheduled included),
        only those of ``session_id`` when given (a session receiver peeks its session)."""
        entity = self._entity(target)
        self.process_due()
        found = sorted(
            (
                m
                for seq, m in entity.messages.items()
                if seq >= from_sequence_number
                and _sub_queue_of(m) is target.sub_queue
                and (session_id is None or m.session_id == session_id)
            ),
            key=lambda m: m.sequence_number,
        )
        return [_snapshot(m) for m in found[: max(count, 0)]]
