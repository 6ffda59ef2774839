"""Service Bus (azure-servicebus, aio): the worker's receive loop in peek-lock and the outcome publisher.

Nothing outside this module sees an SDK type: the worker gets an ``Inbound`` message and answers with a
``Settlement``; this module settles, renews locks (AutoLockRenewer) and, on shutdown, abandons what is
still held so another worker gets it at once instead of after the lock expires. Each message is handled
and settled in its own CONSUMER span (``servicekit.tracing``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from azure.servicebus import ServiceBusMessage, ServiceBusReceivedMessage, ServiceBusReceiveMode
from azure.servicebus.aio import AutoLockRenewer, ServiceBusClient, ServiceBusReceiver, ServiceBusSender
from azure.servicebus.amqp import AmqpMessageBodyType
from azure.servicebus.exceptions import ServiceBusError
from servicekit.tracing import DIAGNOSTIC_ID_PROPERTY, TRACEPARENT_PROPERTY, consumer_span

from payment_service.adapters.coalescing_sender import CoalescingSender
from payment_service.adapters.identity import async_credential

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    message_id: str | None
    body: bytes | None
    """None when the message body is not AMQP data sections (then it cannot be JSON for us)."""
    properties: dict[str, str]
    correlation_id: str | None
    delivery_count: int


@dataclass(frozen=True)
class Settlement:
    action: str  # "complete" | "dead_letter" | "abandon"
    reason: str | None = None
    description: str | None = None

    @classmethod
    def complete(cls) -> Settlement:
        return cls("complete")

    @classmethod
    def dead_letter(cls, reason: str, description: str) -> Settlement:
        return cls("dead_letter", reason, description)

    @classmethod
    def abandon(cls) -> Settlement:
        return cls("abandon")


Handler = Callable[[Inbound], Awaitable[Settlement]]


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def to_inbound(message: ServiceBusReceivedMessage) -> Inbound:
    body = b"".join(message.body) if message.body_type is AmqpMessageBodyType.DATA else None
    properties = {_text(k): _text(v) for k, v in (message.application_properties or {}).items()}
    return Inbound(
        message_id=None if message.message_id is None else str(message.message_id),
        body=body,
        properties=properties,
        correlation_id=None if message.correlation_id is None else str(message.correlation_id),
        delivery_count=message.delivery_count or 0,
    )


@dataclass
class ServiceBus:
    client: ServiceBusClient
    _senders: dict[str, ServiceBusSender] = field(default_factory=dict)
    _outboxes: dict[str, CoalescingSender] = field(default_factory=dict)
    # The aio sender is not safe to (re)open from concurrent tasks (its handler is swapped underneath the
    # other task), so whatever uses a sender takes turns; publishes share the turns (CoalescingSender).
    _send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def connect(cls, *, connection_string: str | None, namespace: str | None) -> ServiceBus:
        if connection_string is not None:
            return cls(ServiceBusClient.from_connection_string(connection_string))
        assert namespace is not None  # settings require one of the two
        return cls(ServiceBusClient(namespace, async_credential()))

    def _sender(self, topic: str) -> ServiceBusSender:
        if topic not in self._senders:
            self._senders[topic] = self.client.get_topic_sender(topic)
        return self._senders[topic]

    def outbox(self, topic: str) -> CoalescingSender:
        if topic not in self._outboxes:
            self._outboxes[topic] = CoalescingSender(self._sender(topic), self._send_lock)
        return self._outboxes[topic]

    async def publish(self, topic: str, envelope: dict[str, Any], *, traceparent: str | None) -> None:
        properties: dict[str | bytes, str | int] = {"type": envelope["type"], "version": envelope["version"]}
        if traceparent:
            # Under the bytes keys the SDK's own tracing fills with setdefault, so it keeps ours and the
            # message carries one traceparent (servicekit.tracing).
            properties[TRACEPARENT_PROPERTY] = traceparent
            properties[DIAGNOSTIC_ID_PROPERTY] = traceparent
        message = ServiceBusMessage(
            json.dumps(envelope, separators=(",", ":")).encode(),
            message_id=envelope["id"],
            correlation_id=envelope["correlationId"],
            content_type="application/json",
            subject=envelope["type"],
            application_properties=properties,  # type: ignore[arg-type]
        )
        await self.outbox(topic).send(message)

    async def ping(self, topic: str) -> None:
        """Opens (or reuses) the topic's send link: proves the namespace answers and the topic exists."""
        async with self._send_lock:
            await self._sender(topic).create_message_batch()

    async def consume(
        self,
        queue: str,
        handler: Handler,
        *,
        concurrency: int,
        stop: asyncio.Event,
        max_lock_renewal_seconds: float,
        shutdown_grace_seconds: float,
        on_ready: Callable[[], None] = lambda: None,
    ) -> None:
        """Receives until ``stop`` is set, running up to ``concurrency`` handlers at once; then lets the
        in-flight ones finish for ``shutdown_grace_seconds`` and abandons whatever is left.

        A broken receiver (connection lost, link detached) is replaced after a short backoff; messages it
        held are redelivered by Service Bus when their locks expire, and the ledger makes that harmless.
        """
        renewer = AutoLockRenewer(max_lock_renewal_duration=max_lock_renewal_seconds)
        in_flight: set[asyncio.Task[None]] = set()
        backoff = 0.5
        while not stop.is_set():
            receiver = self.client.get_queue_receiver(
                queue, receive_mode=ServiceBusReceiveMode.PEEK_LOCK, prefetch_count=0
            )
            try:
                async with receiver:
                    on_ready()
                    await self._receive_until(receiver, queue, handler, renewer, in_flight, concurrency, stop)
                    backoff = 0.5
                    await self._drain(in_flight, shutdown_grace_seconds)
            except ServiceBusError as error:
                if stop.is_set():
                    break
                log.warning("receiver failed; reconnecting", extra={"error": str(error), "backoff": backoff})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
        await self._drain(in_flight, shutdown_grace_seconds)
        await renewer.close()

    async def _receive_until(
        self,
        receiver: ServiceBusReceiver,
        queue: str,
        handler: Handler,
        renewer: AutoLockRenewer,
        in_flight: set[asyncio.Task[None]],
        concurrency: int,
        stop: asyncio.Event,
    ) -> None:
        while not stop.is_set():
            if len(in_flight) >= concurrency:
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            # One message per call, handed to its task as soon as it arrives: asked for more, the SDK keeps
            # collecting for another 0.2 s after the first one, which every payment would wait out. With no
            # prefetch, nothing is locked that no task is free to start (and renew).
            messages = await receiver.receive_messages(max_message_count=1, max_wait_time=1)
            for message in messages:
                renewer.register(receiver, message)
                task = asyncio.create_task(self._settle(receiver, queue, message, handler))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)

    @staticmethod
    async def _drain(in_flight: set[asyncio.Task[None]], grace_seconds: float) -> None:
        if not in_flight:
            return
        log.info("stopping: waiting for in-flight messages", extra={"in_flight": len(in_flight)})
        _, pending = await asyncio.wait(set(in_flight), timeout=grace_seconds)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _settle(
        self, receiver: ServiceBusReceiver, queue: str, message: ServiceBusReceivedMessage, handler: Handler
    ) -> None:
        inbound = to_inbound(message)
        # The message's CONSUMER span, child of its traceparent, covers its handling and its settlement:
        # the SDK calls are spans under it and every log line about the message carries its ids (an
        # abandon at shutdown, a failed settlement included).
        with consumer_span(
            f"process {queue}",
            inbound.properties.get("traceparent"),
            system="servicebus",
            destination=queue,
            message_id=inbound.message_id,
        ):
            await self._handle_and_settle(receiver, message, inbound, handler)

    @staticmethod
    async def _handle_and_settle(
        receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage, inbound: Inbound, handler: Handler
    ) -> None:
        try:
            settlement = await handler(inbound)
        except asyncio.CancelledError:
            log.warning("abandoning a message still in progress at shutdown")
            with contextlib.suppress(Exception):
                await asyncio.shield(receiver.abandon_message(message))
            return
        except Exception:
            # Unknown failure (dependency down, bug): let Service Bus redeliver; MaxDeliveryCount ends it.
            log.exception("message handling failed; abandoning for redelivery")
            settlement = Settlement.abandon()
        try:
            if settlement.action == "complete":
                await receiver.complete_message(message)
            elif settlement.action == "dead_letter":
                await receiver.dead_letter_message(
                    message, reason=settlement.reason, error_description=settlement.description
                )
            else:
                await receiver.abandon_message(message)
        except Exception:
            log.exception("settling the message failed; it will be redelivered when its lock expires")

    async def close(self) -> None:
        for sender in self._senders.values():
            await sender.close()
        await self.client.close()


class TopicPublisher:
    """The domain's Publisher port, bound to one topic."""

    def __init__(self, bus: ServiceBus, topic: str) -> None:
        self._bus = bus
        self._topic = topic

    async def publish(self, message: dict[str, Any], *, traceparent: str | None) -> None:
        await self._bus.publish(self._topic, message, traceparent=traceparent)
