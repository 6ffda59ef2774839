"""`Settlement`: settling a locked message by its lock token (complete, abandon, release, defer,
dead-letter) and renewing or losing its lock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from emulator_common.clock import Clock

from servicebus_emulator.errors import InvalidOperationError, MessageLockLostError, SessionLockLostError
from servicebus_emulator.model import BrokerMessage, MessageState
from servicebus_emulator.provider.dead_lettering import DeadLettering
from servicebus_emulator.provider.indexes import Indexes
from servicebus_emulator.provider.journal import Journal
from servicebus_emulator.provider.records import Entity, session_lost, snapshot
from servicebus_emulator.provider.timer_queue import TimerQueue
from servicebus_emulator.store.base import DeleteMessage, UpdateMessage


@dataclass(frozen=True, slots=True, eq=False)
class Settlement:
    """The settlement outcomes, each on a lock that must still be held."""

    indexes: Indexes
    timer_queue: TimerQueue
    dead_lettering: DeadLettering
    journal: Journal
    clock: Clock

    def _locked(self, lock_token: uuid.UUID) -> tuple[Entity, BrokerMessage]:
        held = self.indexes.holder(lock_token)
        if held is None:
            raise MessageLockLostError(lock_token)
        entity, message = held
        assert message.locked_until is not None
        if message.locked_until <= self.clock.now():
            self.journal.submit(self.dead_lettering.lock_lost(entity, message))
            if entity.requires_session and message.session_id is not None:
                raise SessionLockLostError(session_lost(message.session_id))
            raise MessageLockLostError(lock_token)
        return entity, message

    def is_locked(self, lock_token: uuid.UUID) -> bool:
        try:
            self._locked(lock_token)
        except MessageLockLostError:
            return False
        return True

    async def complete(self, lock_token: uuid.UUID) -> None:
        entity, message = self._locked(lock_token)
        self.indexes.unlock(message)
        del entity.messages[message.sequence_number]
        await self.journal.commit([DeleteMessage(entity.key, message.sequence_number)])

    async def abandon(self, lock_token: uuid.UUID) -> None:
        """Give the message back; counts as a delivery attempt (MaxDeliveryCount → dead-letter queue)."""
        entity, message = self._locked(lock_token)
        await self.journal.commit(self.dead_lettering.lock_lost(entity, message))

    async def release(self, lock_token: uuid.UUID) -> None:
        """Give the message back without counting a delivery attempt (AMQP Released: never delivered)."""
        entity, message = self._locked(lock_token)
        self.indexes.unlock(message)
        self.indexes.make_ready(entity, message)
        self.timer_queue.arm(entity, message)
        await self.journal.commit([UpdateMessage(snapshot(message))])

    async def defer(self, lock_token: uuid.UUID) -> None:
        entity, message = self._locked(lock_token)
        if message.state is MessageState.DEAD_LETTERED:
            raise InvalidOperationError("a dead-lettered message cannot be deferred")
        self.indexes.unlock(message)
        message.state = MessageState.DEFERRED
        self.timer_queue.arm(entity, message)
        await self.journal.commit([UpdateMessage(snapshot(message))])

    async def dead_letter(
        self, lock_token: uuid.UUID, reason: str | None = None, description: str | None = None
    ) -> None:
        entity, message = self._locked(lock_token)
        if message.state is MessageState.DEAD_LETTERED:
            raise InvalidOperationError("the message is already in the dead-letter queue")
        self.indexes.unlock(message)
        await self.journal.commit(self.dead_lettering.dead_letter(entity, message, reason, description))

    async def renew_lock(self, lock_token: uuid.UUID) -> float:
        """Extend the lock by the entity's LockDuration from now; returns the new locked-until time."""
        entity, message = self._locked(lock_token)
        message.locked_until = self.clock.now() + entity.lock_duration
        self.timer_queue.arm(entity, message)
        await self.journal.commit([UpdateMessage(snapshot(message))])
        return message.locked_until

    async def lose_lock(self, lock_token: uuid.UUID) -> None:
        """Fault injection: behave as if the lock had expired now."""
        entity, message = self._locked(lock_token)
        await self.journal.commit(self.dead_lettering.lock_lost(entity, message))
