"""Sender and receiver links on entities: sending, receiving, settlement."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque

from amqp_core.application import LinkHandler
from amqp_core.codec import DecodeError
from amqp_core.errors import AmqpConditionError, Condition, LinkError
from amqp_core.link import IncomingDelivery, IncomingLink, Link, OutgoingDelivery, OutgoingLink
from amqp_core.message import BATCH_MESSAGE_FORMAT, Data
from amqp_core.performatives import (
    SND_SETTLED,
    Accepted,
    AmqpError,
    DeliveryState,
    Modified,
    Rejected,
    Released,
)
from emulator_common.faults import FaultAction, FaultRegistry

from servicebus_emulator.amqp import faults as fault_actions
from servicebus_emulator.amqp.convert import delivered_bytes, incoming
from servicebus_emulator.amqp.errors import condition_of
from servicebus_emulator.errors import ServiceBusError
from servicebus_emulator.model import BrokerMessage, IncomingMessage, ReceiveMode
from servicebus_emulator.provider import ServiceBusProvider, Target

log = logging.getLogger(__name__)

DEAD_LETTER_REASON = "DeadLetterReason"
DEAD_LETTER_DESCRIPTION = "DeadLetterErrorDescription"

# When each kind of ``receive`` fault is asked about (`EntityReceiver`).
_ON_DELIVERY = frozenset({FaultAction.DUPLICATE_DELIVERY})
_ON_CREDIT = frozenset(FaultAction) - _ON_DELIVERY


class EntitySender(LinkHandler):
    """A client sends to a queue or topic; every delivery is accepted only once it is durable."""

    def __init__(self, provider: ServiceBusProvider, faults: FaultRegistry, target: Target) -> None:
        self.provider = provider
        self.faults = faults
        self.target = target

    async def on_message(self, link: IncomingLink, delivery: IncomingDelivery) -> None:
        try:
            messages = self._messages(delivery)
        except DecodeError as error:
            delivery.settle_rejected(Condition.DECODE_ERROR, str(error))
            return
        try:
            await fault_actions.apply(self.faults, self.target.path, "send", link)
            await self.provider.send(self.target, messages)
        except fault_actions.InjectedFault as error:
            delivery.settle_rejected(error.condition, error.description)
            return
        except ServiceBusError as error:
            condition, _ = condition_of(error)
            delivery.settle_rejected(condition, str(error))
            return
        delivery.settle_accepted()

    @staticmethod
    def _messages(delivery: IncomingDelivery) -> list[IncomingMessage]:
        if delivery.message_format != BATCH_MESSAGE_FORMAT:
            return [incoming(delivery.payload, delivery.message)]
        body = delivery.message.body
        if not isinstance(body, Data):
            raise DecodeError("a batch needs data sections")
        return [incoming(chunk) for chunk in body.sections]


class EntityReceiver(LinkHandler):
    """A client receives from a queue, subscription or dead-letter queue.

    Peek-lock links (receiver settle mode second) get locked messages whose delivery tag is the lock
    token; receive-and-delete links (sender settle mode settled) get pre-settled, removed messages.
    While the client has credit and nothing is available, one waiter task per link sleeps on the
    provider and pushes what arrives.

    Faults on ``receive`` are asked at two moments. The rules that refuse or slow a receive (error,
    detach, latency, drop-connection) when the client grants credit, that is when it asks for messages;
    ``duplicate-delivery`` rules for each message as it is delivered, so that the message duplicated is
    the one in flight, also on a streaming receiver whose credit was granted before the rule existed.
    The copy follows as soon as the link has credit for it. It has a delivery tag of its own, so its
    lock token is one the broker never issued: settling the copy fails with message-lock-lost, as
    settling a stale redelivery does in Azure.
    """

    def __init__(
        self,
        provider: ServiceBusProvider,
        faults: FaultRegistry,
        target: Target,
        link: OutgoingLink,
        session_id: str | None = None,
    ) -> None:
        self.provider = provider
        self.faults = faults
        self.target = target
        self.session_id = session_id
        """Set on a session receiver: the session this link holds (its lock owner is the link)."""
        self.mode = (
            ReceiveMode.RECEIVE_AND_DELETE if link.snd_settle_mode == SND_SETTLED else ReceiveMode.PEEK_LOCK
        )
        self._waiter: asyncio.Task[None] | None = None
        self._copies: deque[bytes] = deque()
        """Duplicates owed to the client, sent before anything new as credit allows."""

    def _push(self, link: OutgoingLink) -> None:
        locked = self.mode is ReceiveMode.PEEK_LOCK
        while link.attached and link.credit > 0:
            if self._copies:
                link.send(self._copies.popleft(), tag=uuid.uuid4().bytes_le, settled=not locked)
                continue
            records = self._take(link, link.credit)
            if not records:
                return
            for record in records:
                tag = record.lock_token.bytes_le if locked and record.lock_token else uuid.uuid4().bytes_le
                payload = delivered_bytes(record, locked=locked)
                link.send(payload, tag=tag, settled=not locked)
                if self.faults.match(self.target.path, "receive", _ON_DELIVERY) is not None:
                    self._copies.append(payload)

    def _take(self, link: OutgoingLink, count: int) -> list[BrokerMessage]:
        if self.session_id is None:
            return self.provider.take(self.target, self.mode, count)
        return self.provider.take_session(self.target, self.session_id, link, self.mode, count)

    async def on_credit(self, link: OutgoingLink) -> None:
        try:
            await fault_actions.apply(self.faults, self.target.path, "receive", link, actions=_ON_CREDIT)
        except fault_actions.InjectedFault as error:
            raise LinkError(error.condition, error.description) from None
        try:
            self._push(link)
        except ServiceBusError as error:
            raise LinkError(condition_of(error)[0], str(error)) from None
        if link.credit > 0 and not link.drain and (self._waiter is None or self._waiter.done()):
            self._waiter = asyncio.get_running_loop().create_task(self._wait_and_push(link))

    async def _wait_and_push(self, link: OutgoingLink) -> None:
        try:
            while link.attached and link.credit > 0 and not link.drain:
                if self.session_id is None:
                    await self.provider.wait_available(self.target)
                else:
                    await self.provider.wait_session_change(self.target)
                self._push(link)
                await asyncio.sleep(0)
        except (ServiceBusError, AmqpConditionError) as error:
            log.info("receiver stopped", extra={"entity": self.target.path, "error": str(error)})
            if isinstance(error, ServiceBusError) and link.attached:
                link.detach(LinkError(condition_of(error)[0], str(error)))

    async def on_disposition(
        self, link: OutgoingLink, delivery: OutgoingDelivery, state: DeliveryState | None, settled: bool
    ) -> DeliveryState | None:
        if self.mode is not ReceiveMode.PEEK_LOCK or state is None:
            return None
        lock_token = uuid.UUID(bytes_le=delivery.tag)
        try:
            await settle(self.provider, self.faults, self.target, lock_token, state, link)
        except (ServiceBusError, fault_actions.InjectedFault) as error:
            condition = condition_of(error)[0] if isinstance(error, ServiceBusError) else error.condition
            # Both SDKs raise the condition of a Rejected echo that carries an error.
            return Rejected(error=AmqpError(condition=condition, description=str(error)))
        if isinstance(state, Rejected):
            # A dead-letter applied: echo Rejected without the client's error, which the SDKs would
            # take for a failure (and the Python SDK would retry over $management, on a lost lock).
            return Rejected()
        return None

    async def on_detach(self, link: Link, error: AmqpError | None) -> None:
        if self._waiter is not None:
            self._waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._waiter
        if self.session_id is not None:
            await self.provider.release_session(self.target, self.session_id, link)


async def settle(
    provider: ServiceBusProvider,
    faults: FaultRegistry,
    target: Target,
    lock_token: uuid.UUID,
    state: DeliveryState,
    link: Link | None = None,
) -> None:
    """Apply a client's outcome to a locked message (also used by update-disposition)."""
    if isinstance(state, Accepted):
        await _faulted(faults, target, "complete", lock_token, provider, link)
        await provider.complete(lock_token)
    elif isinstance(state, Modified) and state.undeliverable_here:
        await _faulted(faults, target, "defer", lock_token, provider, link)
        await provider.defer(lock_token)
    elif isinstance(state, Modified):
        await _faulted(faults, target, "abandon", lock_token, provider, link)
        await provider.abandon(lock_token)
    elif isinstance(state, Rejected):
        await _faulted(faults, target, "dead-letter", lock_token, provider, link)
        info = (state.error.info if state.error is not None else None) or {}
        reason = info.get(DEAD_LETTER_REASON)
        description = info.get(DEAD_LETTER_DESCRIPTION)
        await provider.dead_letter(
            lock_token,
            str(reason) if reason is not None else None,
            str(description) if description is not None else None,
        )
    elif isinstance(state, Released):
        await provider.release(lock_token)


async def _faulted(
    faults: FaultRegistry,
    target: Target,
    operation: str,
    lock_token: uuid.UUID,
    provider: ServiceBusProvider,
    link: Link | None,
) -> None:
    fault = await fault_actions.apply(faults, target.path, operation, link)
    if fault is not None and fault.action is FaultAction.LOSE_LOCK:
        await provider.lose_lock(lock_token)
