"""`Delivery`: where a message arriving at an entity ends up (topic fan-out, auto-forwarding, or refused
into a dead-letter queue), and putting it there."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from emulator_common.clock import Clock

from servicebus_emulator.model import BrokerMessage, EntityKind, MessageState
from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.indexes import Indexes
from servicebus_emulator.provider.records import Entity, snapshot
from servicebus_emulator.provider.sequences import Sequences
from servicebus_emulator.provider.timer_queue import TimerQueue
from servicebus_emulator.routing import RuleCopy, route
from servicebus_emulator.store.base import DeleteMessage, PutMessage, StoreOp, UpdateMessage

FILTER_EVALUATION_FAILED = "FilterEvaluationException"
SESSION_ID_IS_NULL = "Session ID is null"
MAX_HOPS_EXCEEDED = "MaxTransferHopCountExceeded"
MAX_HOPS = 4
"""Azure stops a message forwarded more than four times and dead-letters it."""

log = logging.getLogger(__package__)

Arrivals = list[tuple[Entity, BrokerMessage]]
"""Messages and the entities they end up in, not yet placed there."""


@dataclass(frozen=True, slots=True, eq=False)
class Delivery:
    """Fan-out, forwarding and refusal decide where messages go; `place` puts them there."""

    entities: Entities
    indexes: Indexes
    timer_queue: TimerQueue
    sequences: Sequences
    clock: Clock

    def place(self, arrived: Iterable[tuple[Entity, BrokerMessage]]) -> list[StoreOp]:
        """Put messages into their entities now; returns the store ops that record them."""
        ops: list[StoreOp] = []
        for holder, message in arrived:
            holder.messages[message.sequence_number] = message
            self.indexes.make_ready(holder, message)
            self.timer_queue.arm(holder, message)
            ops.append(PutMessage(message))
        return ops

    def fan_out(self, topic: Entity, message: BrokerMessage, hops: int = 0) -> Arrivals:
        """The copies each subscription gets (see `servicebus_emulator.routing`), forwarded as configured.

        The first copy in a subscription keeps the topic's sequence number; further copies (one per
        matching rule with an action) take new numbers from the topic, so each is unique.
        """
        arrived = []
        for subscription in topic.subscriptions:
            routing = route(subscription.rules, message)
            numbers = 0
            for rule_copy in routing.copies:
                seq = message.sequence_number if numbers == 0 else self.sequences.next(topic)
                numbers += 1
                arrived.extend(
                    self.arrive(subscription, self._copy(subscription, message, seq, rule_copy), hops)
                )
            if routing.failure is None:
                continue
            log.info(
                "subscription rule failed on a message",
                extra={
                    "entity": subscription.path,
                    "sequence_number": message.sequence_number,
                    "error": routing.failure,
                },
            )
            if subscription.dead_letter_on_filter_errors:
                seq = message.sequence_number if numbers == 0 else self.sequences.next(topic)
                copy = self._copy(subscription, message, seq, RuleCopy())
                arrived.extend(self._refuse(subscription, copy, FILTER_EVALUATION_FAILED, routing.failure))
        return arrived

    def arrive(self, entity: Entity, message: BrokerMessage, hops: int = 0) -> Arrivals:
        """Where a message arriving at a queue or subscription ends up: there, or forwarded on."""
        if message.state is not MessageState.ACTIVE:
            return [(entity, message)]
        if entity.requires_session and message.session_id is None:
            description = "Session enabled entity doesn't allow a message whose session identifier is null."
            return self._refuse(entity, message, SESSION_ID_IS_NULL, description)
        if entity.forward_to is None:
            return [(entity, message)]
        if hops >= MAX_HOPS:
            description = f"The message was forwarded more than {MAX_HOPS} times."
            return self._refuse(entity, message, MAX_HOPS_EXCEEDED, description)
        destination = self.entities.by_key(entity.forward_to)
        forwarded = dataclasses.replace(
            message,
            entity=destination.key,
            sequence_number=self.sequences.next(destination),
            time_to_live=min(message.time_to_live, destination.default_ttl),
        )
        if destination.kind is EntityKind.TOPIC:
            return self.fan_out(destination, forwarded, hops + 1)
        return self.arrive(destination, forwarded, hops + 1)

    def enqueue_scheduled(self, entity: Entity, message: BrokerMessage) -> list[StoreOp]:
        """A scheduled message that came due arrives now: fanned out, forwarded, or made ready in place."""
        message.state = MessageState.ACTIVE
        if entity.kind is EntityKind.TOPIC:
            del entity.messages[message.sequence_number]
            arrived = self.fan_out(entity, message)
        elif entity.forward_to is not None:
            del entity.messages[message.sequence_number]
            arrived = self.arrive(entity, message)
        else:
            self.indexes.make_ready(entity, message)
            self.timer_queue.arm(entity, message)
            return [UpdateMessage(snapshot(message))]
        ops: list[StoreOp] = [DeleteMessage(entity.key, message.sequence_number)]
        return [*ops, *self.place(arrived), *self.sequences.ops()]

    def forward_dead_lettered(self, entity: Entity, message: BrokerMessage) -> list[StoreOp]:
        """Move a message just dead-lettered (and already taken out of ``entity``) to the entity's
        ForwardDeadLetteredMessagesTo target."""
        assert entity.forward_dead_letters_to is not None
        destination = self.entities.by_key(entity.forward_dead_letters_to)
        moved = self._moved(destination, message)
        arrived = (
            self.fan_out(destination, moved)
            if destination.kind is EntityKind.TOPIC
            else self.arrive(destination, moved)
        )
        return [*self.place(arrived), *self.sequences.ops()]

    @staticmethod
    def _copy(subscription: Entity, message: BrokerMessage, seq: int, rule_copy: RuleCopy) -> BrokerMessage:
        changes: dict[str, Any] = {"application_properties": dict(message.application_properties)}
        if rule_copy.action is not None:
            changes = {
                **rule_copy.action.system,
                "application_properties": dict(rule_copy.action.application_properties),
                "properties_rewritten": True,
            }
        return dataclasses.replace(
            message,
            entity=subscription.key,
            sequence_number=seq,
            state=MessageState.ACTIVE,
            time_to_live=min(message.time_to_live, subscription.default_ttl),
            **changes,
        )

    def _refuse(self, entity: Entity, message: BrokerMessage, reason: str, description: str) -> Arrivals:
        """A message that arrives dead: into the entity's dead-letter queue, or where those are forwarded."""
        message.dead_letter_reason = reason
        message.dead_letter_description = description
        message.dead_letter_source = entity.path
        if entity.forward_dead_letters_to is not None:
            destination = self.entities.by_key(entity.forward_dead_letters_to)
            return self.arrive(destination, self._moved(destination, message))
        message.state = MessageState.DEAD_LETTERED
        return [(entity, message)]

    def _moved(self, destination: Entity, message: BrokerMessage) -> BrokerMessage:
        """A dead-lettered message as ForwardDeadLetteredMessagesTo delivers it: active, reason kept."""
        return dataclasses.replace(
            message,
            entity=destination.key,
            sequence_number=self.sequences.next(destination),
            state=MessageState.ACTIVE,
            delivery_count=0,
            lock_token=None,
            locked_until=None,
            enqueued_time=self.clock.now(),
            time_to_live=destination.default_ttl,
            scheduled_enqueue_time=None,
            application_properties=dict(message.application_properties),
        )
