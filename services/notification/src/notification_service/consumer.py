"""One ``order-events`` event in: validated against the contract, then notified once, or recorded as poison.

Poison (``servicekit.envelopes``: ``MalformedBody``, ``SchemaViolation``, ``UnknownMessageType``, the
reasons the Service Bus consumers dead-letter with) is logged with its reason, written to the notification
log under its hub position, and passed over (the checkpoint moves past it): Event Hubs has no dead-letter
queue, and a poison event never stops the consumer.

The notification log is read before sending only while an event may have been handled before: from a
partition's claim up to the first event found missing from the log (``domain.redelivery``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from opentelemetry.trace import Span
from servicekit.contracts import Contracts
from servicekit.envelopes import EnvelopeDecoder, PoisonError
from servicekit.logs import correlation_id_var
from servicekit.tracing import consumer_span

from notification_service.adapters.eventhub import InboundEvent
from notification_service.domain.models import Customer, OrderStatus, StatusChange
from notification_service.domain.notifier import Notifier
from notification_service.domain.redelivery import RedeliveredPrefix
from notification_service.metrics import Metrics

log = logging.getLogger(__name__)

EVENT_TYPE = "OrderStatusChanged"
VERSION = 1


def parse_event(event: InboundEvent, decoder: EnvelopeDecoder) -> StatusChange:
    """The status change in ``event``, or ``PoisonError``."""
    envelope = decoder.decode(event.body, event.properties)
    data = envelope.data
    customer = data["customer"]
    return StatusChange(
        event_id=envelope.id,
        order_id=data["orderId"],
        previous_status=OrderStatus(data["previousStatus"]) if data.get("previousStatus") else None,
        status=OrderStatus(data["status"]),
        customer=Customer(customer["email"], customer["name"], customer.get("phone")),
        total_value=data["total"]["value"],
        total_currency=data["total"]["currency"],
        reason=data.get("reason"),
        occurred_at=envelope.occurred_at,
    )


class OrderEventHandler:
    def __init__(
        self, contracts: Contracts, notifier: Notifier, metrics: Metrics, *, hub: str = "order-events"
    ) -> None:
        """``hub``: the Event Hub the events come from, named in the consumer spans."""
        self._decoder = EnvelopeDecoder(contracts, (EVENT_TYPE, VERSION))
        self._notifier = notifier
        self._metrics = metrics
        self._hub = hub
        self._prefix = RedeliveredPrefix()

    async def __call__(self, event: InboundEvent) -> None:
        """Handles ``event`` in a CONSUMER span continuing the trace of its ``traceparent``: the sends and
        the log writes are its children, and log lines carry its ids."""
        try:
            with consumer_span(
                f"process {self._hub}",
                event.properties.get("traceparent"),
                system="eventhubs",
                destination=self._hub,
                attributes={"messaging.destination.partition.id": event.partition_id},
            ) as span:
                await self._handle(event, span)
        finally:
            self._metrics.observe_position(
                event.partition_id, event.sequence_number, event.enqueued_time, datetime.now(UTC)
            )

    async def _handle(self, event: InboundEvent, span: Span) -> None:
        correlation_id_var.set(event.properties.get("correlationId"))
        try:
            change = parse_event(event, self._decoder)
        except PoisonError as poison:
            span.set_attribute("notification.poison_reason", poison.reason)
            await self._poison(event, poison)
            return
        span.set_attribute("messaging.message.id", change.event_id)
        correlation_id_var.set(change.order_id)
        may_be_repeat = self._prefix.may_be_repeat(event.partition_id, event.claim)
        outcome = await self._notifier.handle(change, may_be_repeat=may_be_repeat)
        if outcome.log_read:
            self._metrics.log_reads.inc()
            if not outcome.skipped:
                self._prefix.passed(event.partition_id, event.claim)
        for channel in outcome.sent:
            self._metrics.sent.labels(channel.value).inc()
        for channel in outcome.skipped:
            self._metrics.duplicates.labels(channel.value).inc()
        self._metrics.events.labels("handled").inc()
        log.info(
            "order event handled",
            extra={
                "event_id": change.event_id,
                "status": change.status.value,
                "sent": [c.value for c in outcome.sent],
                "skipped_duplicates": [c.value for c in outcome.skipped],
                "position": event.position,
            },
        )

    async def _poison(self, event: InboundEvent, poison: PoisonError) -> None:
        self._metrics.events.labels("poison").inc()
        self._metrics.poison.labels(poison.reason).inc()
        log.warning(
            "poison event passed over",
            extra={"position": event.position, "reason": poison.reason, "description": poison.description},
        )
        await self._notifier.record_poison(
            key=event.position,
            event_id=poison.message_id,
            reason=poison.reason,
            description=poison.description,
        )
