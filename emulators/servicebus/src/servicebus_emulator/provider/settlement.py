"""Settling a locked message by its lock token: complete, abandon, release, defer, dead-letter, renew."""

from __future__ import annotations

import uuid

from servicebus_emulator.errors import InvalidOperationError, MessageLockLostError, SessionLockLostError
from servicebus_emulator.model import BrokerMessage, MessageState
from servicebus_emulator.provider.dead_lettering import _DeadLettering
from servicebus_emulator.provider.entities import _Entity, _session_lost, _snapshot
from servicebus_emulator.store.base import DeleteMessage, UpdateMessage


class _Settlement(_DeadLettering):
    """Lock-token lookup and the settlement outcomes."""

    def _locked(self, lock_token: uuid.UUID) -> tuple[_Entity, BrokerMessage]:
        ref = self._locks.get(lock_token)
        if ref is None:
            raise MessageLockLostError(lock_token)
        entity, seq = ref
        message = entity.messages.get(seq)
        if message is None or message.lock_token != lock_token:
            self._locks.pop(lock_token, None)
            raise MessageLockLostError(lock_token)
        assert message.locked_until is not None
        if message.locked_until <= self._clock.now():
            self._submit(self._lock_lost(entity, message))
            if entity.requires_session and message.session_id is not None:
                raise SessionLockLostError(_session_lost(message.session_id))
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
        self._unlock(message)
        del entity.messages[message.sequence_number]
        await self._commit([DeleteMessage(entity.key, message.sequence_number)])

    async def abandon(self, lock_token: uuid.UUID) -> None:
        """Give the message back; counts as a delivery attempt (MaxDeliveryCount → dead-letter queue)."""
        entity, message = self._locked(lock_token)
        await self._commit(self._lock_lost(entity, message))

    async def release(self, lock_token: uuid.UUID) -> None:
        """Give the message back without counting a delivery attempt (AMQP Released: never delivered)."""
        entity, message = self._locked(lock_token)
        self._unlock(message)
        self._make_ready(entity, message)
        self._arm(entity, message)
        await self._commit([UpdateMessage(_snapshot(message))])

    async def defer(self, lock_token: uuid.UUID) -> None:
        entity, message = self._locked(lock_token)
        if message.state is MessageState.DEAD_LETTERED:
            raise InvalidOperationError("a dead-lettered message cannot be deferred")
        self._unlock(message)
        message.state = MessageState.DEFERRED
        self._arm(entity, message)
        await self._commit([UpdateMessage(_snapshot(message))])

    async def dead_letter(
        self, lock_token: uuid.UUID, reason: str | None = None, description: str | None = None
    ) -> None:
        entity, message = self._locked(lock_token)
        if message.state is MessageState.DEAD_LETTERED:
            raise InvalidOperationError("the message is already in the dead-letter queue")
        self._unlock(message)
        await self._commit(self._dead_letter(entity, message, reason, description))

    async def renew_lock(self, lock_token: uuid.UUID) -> float:
        """Extend the lock by the entity's LockDuration from now; returns the new locked-until time."""
        entity, message = self._locked(lock_token)
        message.locked_until = self._clock.now() + entity.lock_duration
        self._arm(entity, message)
        await self._commit([UpdateMessage(_snapshot(message))])
        return message.locked_until

    async def lose_lock(self, lock_token: uuid.UUID) -> None:
        """Fault injection: behave as if the lock had expired now."""
        entity, message = self._locked(lock_token)
        await self._commit(self._lock_lost(entity, message))
