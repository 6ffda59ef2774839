"""`DeadLettering`: messages that leave the normal path. A lost lock counts a delivery attempt
(MaxDeliveryCount dead-letters), an expired message is dead-lettered or dropped, and a dead-lettered
message stays in the dead-letter queue or is forwarded (ForwardDeadLetteredMessagesTo)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from servicebus_emulator.model import BrokerMessage, MessageState
from servicebus_emulator.provider.delivery import Delivery
from servicebus_emulator.provider.indexes import Indexes
from servicebus_emulator.provider.records import Entity, snapshot
from servicebus_emulator.provider.timer_queue import TimerQueue
from servicebus_emulator.store.base import DeleteMessage, StoreOp, UpdateMessage

MAX_DELIVERY_COUNT_EXCEEDED = "MaxDeliveryCountExceeded"
TTL_EXPIRED = "TTLExpiredException"

log = logging.getLogger(__package__)


@dataclass(frozen=True, slots=True, eq=False)
class DeadLettering:
    """Lost locks, expiry and dead-lettering; each returns the store ops that record what it did."""

    indexes: Indexes
    timer_queue: TimerQueue
    delivery: Delivery

    def lock_lost(self, entity: Entity, message: BrokerMessage) -> list[StoreOp]:
        """An abandon or an expired lock: one more failed delivery attempt."""
        self.indexes.unlock(message)
        message.delivery_count += 1
        if (
            message.state is not MessageState.DEAD_LETTERED
            and message.delivery_count >= entity.max_delivery_count
        ):
            description = (
                f"Message could not be consumed after {entity.max_delivery_count} delivery attempts."
            )
            return self.dead_letter(entity, message, MAX_DELIVERY_COUNT_EXCEEDED, description)
        self.indexes.make_ready(entity, message)
        self.timer_queue.arm(entity, message)
        return [UpdateMessage(snapshot(message))]

    def dead_letter(
        self, entity: Entity, message: BrokerMessage, reason: str | None, description: str | None
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
            self.indexes.make_ready(entity, message)
            return [UpdateMessage(snapshot(message))]
        del entity.messages[message.sequence_number]
        return [
            DeleteMessage(entity.key, message.sequence_number),
            *self.delivery.forward_dead_lettered(entity, message),
        ]

    def expire(self, entity: Entity, message: BrokerMessage) -> list[StoreOp]:
        if entity.dead_letter_on_expiry:
            return self.dead_letter(
                entity, message, TTL_EXPIRED, "The message expired and was dead lettered."
            )
        del entity.messages[message.sequence_number]
        return [DeleteMessage(entity.key, message.sequence_number)]
