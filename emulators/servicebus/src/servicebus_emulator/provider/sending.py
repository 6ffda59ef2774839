"""`Sending`: size and session checks, duplicate detection, scheduling, and cancelling scheduled messages."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from emulator_common.clock import Clock

from servicebus_emulator.errors import InvalidOperationError, MessageNotFoundError, MessageSizeExceededError
from servicebus_emulator.model import (
    BrokerMessage,
    EntityKind,
    IncomingMessage,
    MessageState,
    SendResult,
    SubQueue,
)
from servicebus_emulator.provider.delivery import Delivery
from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.journal import Journal
from servicebus_emulator.provider.records import Entity, Target
from servicebus_emulator.provider.sequences import Sequences
from servicebus_emulator.store.base import DeleteDuplicate, DeleteMessage, PutDuplicate, PutMessage, StoreOp


@dataclass(frozen=True, slots=True, eq=False)
class Sending:
    """Accepting messages (made visible once durable) and cancelling scheduled ones."""

    entities: Entities
    delivery: Delivery
    sequences: Sequences
    journal: Journal
    clock: Clock

    async def send(self, target: Target, messages: Sequence[IncomingMessage]) -> list[SendResult]:
        """Accept messages (one batch = one atomic, durable write); returns once they are durable.

        A message with ``scheduled_enqueue_time`` in the future is scheduled. A duplicate message id
        within the detection window is accepted and dropped (``SendResult.duplicate``), as in Azure.
        """
        entity = self.entities.get(target)
        if entity.kind is EntityKind.SUBSCRIPTION or target.sub_queue is SubQueue.DEAD_LETTER:
            raise InvalidOperationError(f"cannot send to '{target.address}'")
        if entity.requires_session and any(m.session_id is None for m in messages):
            raise InvalidOperationError(
                "The SessionId was not set on a message, and it cannot be sent to the entity. Entities "
                f"that have session support enabled ('{entity.path}') can only receive messages that "
                "have the SessionId set to a valid value."
            )
        for incoming in messages:
            size = incoming.size if incoming.size is not None else len(incoming.encoded)
            if size > entity.max_message_size:
                raise MessageSizeExceededError(size, entity.max_message_size)
        now = self.clock.now()
        self._forget_old_duplicates(entity, now)
        ops: list[StoreOp] = []
        results: list[SendResult] = []
        accepted: list[tuple[Entity, BrokerMessage]] = []
        remembered: list[str] = []
        for incoming in messages:
            message_id = incoming.message_id or uuid.uuid4().hex
            if entity.requires_duplicate_detection:
                if message_id in entity.duplicates:
                    results.append(SendResult(None, duplicate=True))
                    continue
                entity.duplicates[message_id] = now
                remembered.append(message_id)
                ops.append(PutDuplicate(entity.key, message_id, now))
            # Recorded below only if the batch writes anything: a batch wholly dropped leaves no trace.
            entity.last_sequence += 1
            message = self._new_message(entity, entity.last_sequence, incoming, message_id, now)
            results.append(SendResult(message.sequence_number))
            if entity.kind is EntityKind.TOPIC and message.state is not MessageState.SCHEDULED:
                accepted.extend(self.delivery.fan_out(entity, message))
            else:
                accepted.extend(self.delivery.arrive(entity, message))
        if not accepted and not ops:
            return results
        ops.extend(PutMessage(message) for _, message in accepted)
        self.sequences.record(entity)
        ops.extend(self.sequences.ops())

        def publish() -> None:
            self.delivery.place(accepted)

        def forget() -> None:
            for message_id in remembered:
                entity.duplicates.pop(message_id, None)

        await self.journal.commit(ops, on_success=publish, on_failure=forget)
        return results

    @staticmethod
    def _new_message(
        entity: Entity, sequence_number: int, incoming: IncomingMessage, message_id: str, now: float
    ) -> BrokerMessage:
        scheduled = incoming.scheduled_enqueue_time
        is_scheduled = scheduled is not None and scheduled > now
        ttl = entity.default_ttl
        if incoming.time_to_live is not None and incoming.time_to_live > 0:
            ttl = min(ttl, incoming.time_to_live)
        return BrokerMessage(
            entity=entity.key,
            sequence_number=sequence_number,
            encoded=incoming.encoded,
            message_id=message_id,
            message_id_assigned=incoming.message_id is None,
            correlation_id=incoming.correlation_id,
            subject=incoming.subject,
            to=incoming.to,
            reply_to=incoming.reply_to,
            reply_to_session_id=incoming.reply_to_session_id,
            session_id=incoming.session_id,
            content_type=incoming.content_type,
            application_properties=dict(incoming.application_properties),
            time_to_live=ttl,
            enqueued_time=scheduled if is_scheduled and scheduled is not None else now,
            scheduled_enqueue_time=scheduled,
            size=incoming.size if incoming.size is not None else len(incoming.encoded),
            state=MessageState.SCHEDULED if is_scheduled else MessageState.ACTIVE,
        )

    def _forget_old_duplicates(self, entity: Entity, now: float) -> None:
        if not entity.duplicates:
            return
        ops: list[StoreOp] = []
        while entity.duplicates:
            message_id, seen_at = next(iter(entity.duplicates.items()))
            if now - seen_at < entity.duplicate_window:
                break
            entity.duplicates.popitem(last=False)
            ops.append(DeleteDuplicate(entity.key, message_id))
        self.journal.submit(ops)

    async def cancel_scheduled(self, target: Target, sequence_numbers: Iterable[int]) -> None:
        entity = self.entities.get(target)
        wanted = list(sequence_numbers)
        for seq in wanted:
            message = entity.messages.get(seq)
            if message is None or message.state is not MessageState.SCHEDULED:
                raise MessageNotFoundError(seq)
        for seq in wanted:
            entity.messages.pop(seq, None)
        await self.journal.commit([DeleteMessage(entity.key, seq) for seq in wanted])
