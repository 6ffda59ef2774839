"""`Receiving`: receiving without sessions (take, wait, receive), deferred messages by sequence number,
and peek."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from emulator_common.clock import Clock

from servicebus_emulator.errors import InvalidOperationError, MessageNotFoundError
from servicebus_emulator.model import BrokerMessage, MessageState, ReceiveMode, SubQueue
from servicebus_emulator.provider.dead_lettering import DeadLettering
from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.indexes import Indexes
from servicebus_emulator.provider.journal import Journal
from servicebus_emulator.provider.records import Target, snapshot, sub_queue_of
from servicebus_emulator.provider.timers import Timers
from servicebus_emulator.store.base import StoreOp


@dataclass(frozen=True, slots=True, eq=False)
class Receiving:
    """Taking messages (peek-lock or receive-and-delete), waiting for them, and peeking."""

    entities: Entities
    indexes: Indexes
    timers: Timers
    dead_lettering: DeadLettering
    journal: Journal
    clock: Clock

    def take(self, target: Target, mode: ReceiveMode, max_count: int) -> list[BrokerMessage]:
        """Up to ``max_count`` messages available now, in sequence order; never waits.

        Peek-lock: each returned message is locked (``lock_token``, ``locked_until``). Receive-and-delete:
        each is removed. The returned records are copies, safe to keep.
        """
        entity = self.entities.receivable(target)
        if entity.requires_session and target.sub_queue is SubQueue.MAIN:
            raise InvalidOperationError(
                f"'{entity.path}' requires sessions: it is not possible to receive from it without "
                "accepting a session"
            )
        now = self.clock.now()
        self.timers.process_due(now)
        taken: list[BrokerMessage] = []
        ops: list[StoreOp] = []
        while len(taken) < max_count:
            message = self.indexes.pop_ready(entity, target.sub_queue)
            if message is None:
                break
            if message.state is MessageState.ACTIVE and message.expires_at <= now:
                ops.extend(self.dead_lettering.expire(entity, message))
                continue
            ops.append(self.indexes.hand_out(entity, message, mode, now))
            taken.append(snapshot(message))
        self.journal.submit(ops)
        return taken

    async def wait_available(self, target: Target) -> None:
        """Return as soon as ``target`` may have a message to take (bound it with `asyncio.timeout`).

        This is a hint: a competing receiver may take the message first.
        """
        entity = self.entities.receivable(target)
        if self.indexes.has_ready(entity, target.sub_queue):
            return
        await self.indexes.wait(entity, target.sub_queue)

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
        entity = self.entities.receivable(target)
        now = self.clock.now()
        self.timers.process_due(now)
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
            ops.append(self.indexes.hand_out(entity, message, mode, now))
            taken.append(snapshot(message))
        await self.journal.commit(ops)
        return taken

    def peek(
        self, target: Target, from_sequence_number: int, count: int, session_id: str | None = None
    ) -> list[BrokerMessage]:
        """Up to ``count`` messages from ``from_sequence_number`` on, in sequence order, changing nothing
        (no lock taken, renewed or ended; delivery counts untouched); only those of ``session_id`` when
        given (a session receiver peeks its session).

        As Azure's peek ("Message browsing"): the main queue shows active messages whether locked or not,
        deferred messages (received again or not) and scheduled ones (a subscription has none: a message
        scheduled on a topic stays on the topic until due); dead-lettered messages only through the
        dead-letter queue. An expired message shows only while a lock keeps it: the timers remove or
        dead-letter the others when they expire, where Azure may still show them for a while."""
        entity = self.entities.get(target)
        self.timers.process_due()
        found = sorted(
            (
                m
                for seq, m in entity.messages.items()
                if seq >= from_sequence_number
                and sub_queue_of(m) is target.sub_queue
                and (session_id is None or m.session_id == session_id)
            ),
            key=lambda m: m.sequence_number,
        )
        return [snapshot(m) for m in found[: max(count, 0)]]
