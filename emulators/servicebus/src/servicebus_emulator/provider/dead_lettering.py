"""Messages that leave the normal path: a lost lock counts a delivery attempt (MaxDeliveryCount
dead-letters), an expired message is dead-lettered or dropped, and a dead-lettered message stays in the
dead-letter queue or is forwarded (ForwardDeadLetteredMessagesTo).
"""

from __future__ import annotations

from servicebus_emulator.model import BrokerMessage, EntityKind, MessageState
from servicebus_emulator.provider.delivery import _Delivery
from servicebus_emulator.provider.entities import _Entity, _snapshot
from servicebus_emulator.provider.state import log
from servicebus_emulator.store.base import DeleteMessage, StoreOp, UpdateMessage

MAX_DELIVERY_COUNT_EXCEEDED = "MaxDeliveryCountExceeded"
TTL_EXPIRED = "TTLExpiredException"


class _DeadLettering(_Delivery):
    """Lost locks, expiry and dead-lettering."""

    def _lock_lost(self, entity: _Entity, message: BrokerMessage) -> list[StoreOp]:
        """An abandon or an expired lock: one more failed delivery attempt."""
        self._unlock(message)
        message.delivery_count += 1
        if (
            message.state is not MessageState.DEAD_LETTERED
            and message.delivery_count >= entity.max_delivery_count
        ):
            description = (
                f"Message could not be consumed after {entity.max_delivery_count} delivery attempts."
            )
            return self._dead_letter(entity, message, MAX_DELIVERY_COUNT_EXCEEDED, description)
        self._make_ready(entity, message)
        self._arm(entity, message)
        return [UpdateMessage(_snapshot(message))]

    def _dead_letter(
        self, entity: _Entity, message: BrokerMessage, reason: str | None, description: str | None
    ) -> list[StoreOp]:
        message.state = MessageState.DEAD_LETTERED
        message.dead_letter_reason = reason
        message.dead_letter_description = description
        message.dead_letter_source = entity.path
        log.info(
            "message dead-lettered",
            extra={"entity": entity.path, "sequence_number": message.sequence_number, "reason": reason},
        )
        if entity.forward_dead_letters_to is None:
            self._make_ready(entity, message)
            return [UpdateMessage(_snapshot(message))]
        del entity.messages[message.sequence_number]
        destination = self._entities[entity.forward_dead_letters_to]
        moved = self._moved(destination, message)
        arrived = (
            self._fan_out(destination, moved)
            if destination.kind is EntityKind.TOPIC
            else self._arrive(destination, moved)
        )
        return [
            DeleteMessage(entity.key, message.sequence_number),
            *self._place(arrived),
            *self._sequence_ops(),
        ]

    def _expire(self, entity: _Entity, message: BrokerMessage) -> list[StoreOp]:
        if entity.dead_letter_on_expiry:
            return self._dead_letter(
                entity, message, TTL_EXPIRED, "The message expired and was dead lettered."
            )
        del entity.messages[message.sequence_number]
        return [DeleteMessage(entity.key, message.sequence_number)]
