"""Where a message arriving at an entity ends up: topic fan-out, auto-forwarding, or refused into a
dead-letter queue; and the sequence numbers that go with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from servicebus_emulator.model import BrokerMessage, EntityKind, MessageState
from servicebus_emulator.provider.entities import _Entity
from servicebus_emulator.provider.indexes import _Indexes
from servicebus_emulator.provider.state import log
from servicebus_emulator.routing import RuleCopy, route
from servicebus_emulator.store.base import PutMessage, SetSequence, StoreOp

FILTER_EVALUATION_FAILED = "FilterEvaluationException"
SESSION_ID_IS_NULL = "Session ID is null"
MAX_HOPS_EXCEEDED = "MaxTransferHopCountExceeded"
MAX_HOPS = 4
"""Azure stops a message forwarded more than four times and dead-letters it."""


class _Delivery(_Indexes):
    """Fan-out, forwarding, refusal, placement and sequence numbers."""

    def _next_sequence(self, entity: _Entity) -> int:
        entity.last_sequence += 1
        self._sequenced.add(entity.key)
        return entity.last_sequence

    def _sequence_ops(self) -> list[StoreOp]:
        ops: list[StoreOp] = [SetSequence(key, self._entities[key].last_sequence) for key in self._sequenced]
        self._sequenced.clear()
        return ops

    def _place(self, arrived: Iterable[tuple[_Entity, BrokerMessage]]) -> list[StoreOp]:
        """Put messages into their entities now; returns the store ops that record them."""
        ops: list[StoreOp] = []
        for holder, message in arrived:
            holder.messages[message.sequence_number] = message
            self._make_ready(holder, message)
            self._arm(holder, message)
            ops.append(PutMessage(message))
        return ops

    def _fan_out(
        self, topic: _Entity, message: BrokerMessage, hops: int = 0
    ) -> list[tuple[_Entity, BrokerMessage]]:
        """The copies each subscription gets (see `servicebus_emulator.routing`), forwarded as configured.

        The first copy in a subscription keeps the topic's sequence number; further copies (one per
        matching rule with an action) take new numbers from the topic, so each is unique.
        """
        arrived = []
        for subscription in topic.subscriptions:
            routing = route(subscription.rules, message)
            numbers = 0
            for rule_copy in routing.copies:
                seq = message.sequence_number if numbers == 0 else self._next_sequence(topic)
                numbers += 1
                arrived.extend(
                    self._arrive(subscription, self._copy(subscription, message, seq, rule_copy), hops)
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
                seq = message.sequence_number if numbers == 0 else self._next_sequence(topic)
                copy = self._copy(subscription, message, seq, RuleCopy())
                arrived.extend(self._refuse(subscription, copy, FILTER_EVALUATION_FAILED, routing.failure))
        return arrived

    @staticmethod
    def _copy(subscription: _Entity, message: BrokerMessage, seq: int, rule_copy: RuleCopy) -> BrokerMessage:
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

    def _arrive(
        self, entity: _Entity, message: BrokerMessage, hops: int = 0
    ) -> list[tuple[_Entity, BrokerMessage]]:
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
        destination = self._entities[entity.forward_to]
        forwarded = dataclasses.replace(
            message,
            entity=destination.key,
            sequence_number=self._next_sequence(destination),
            time_to_live=min(message.time_to_live, destination.default_ttl),
        )
        if destination.kind is EntityKind.TOPIC:
            return self._fan_out(destination, forwarded, hops + 1)
        return self._arrive(destination, forwarded, hops + 1)

    def _refuse(
        self, entity: _Entity, message: BrokerMessage, reason: str, description: str
    ) -> list[tuple[_Entity, BrokerMessage]]:
        """A message that arrives dead: into the entity's dead-letter queue, or where those are forwarded."""
        message.dead_letter_reason = reason
        message.dead_letter_description = description
        message.dead_letter_source = entity.path
        if entity.forward_dead_letters_to is not None:
            destination = self._entities[entity.forward_dead_letters_to]
            return self._arrive(destination, self._moved(destination, message))
        message.state = MessageState.DEAD_LETTERED
        return [(entity, message)]

    def _moved(self, destination: _Entity, message: BrokerMessage) -> BrokerMessage:
        """A dead-lettered message as ForwardDeadLetteredMessagesTo delivers it: active, reason kept."""
        return dataclasses.replace(
            message,
            entity=destination.key,
            sequence_number=self._next_sequence(destination),
            state=MessageState.ACTIVE,
            delivery_count=0,
            lock_token=None,
            locked_until=None,
            enqueued_time=self._clock.now(),
            time_to_live=destination.default_ttl,
            scheduled_enqueue_time=None,
            application_properties=dict(message.application_properties),
        )
