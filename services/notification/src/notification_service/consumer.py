"""One ``order-events`` event in: validated against the contract, then notified once, or recorded as poison.

Poison (``servicekit.envelopes``: ``MalformedBody``, ``SchemaViolation``, ``UnknownMessageType``, the
reasons the Service Bus consumers dead-letter with) is logged with its reason, written to the notification
log under its hub position, and passed over (the checkpoint moves past it): Event Hubs has no dead-letter
queue, and a poison event never stops the consumer.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from servicekit.contracts import Contracts
from servicekit.envelopes import EnvelopeDecoder, PoisonError
from servicekit.logs import child_traceparent, correlation_id_var, traceparent_var

from notification_service.adapters.eventhub import InboundEvent
from notification_service.domain.models import Customer, OrderStatus, StatusChange
from notification_service.domain.notifier import Notifier
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
    def __init__(self, contracts: Contracts, notifier: Notifier, metrics: Metrics) -> None:
        self._decoder = EnvelopeDecoder(contracts, (EVENT_TYPE, VERSION))
        self._notifier = notifier
        self._metrics = metrics

    async def __call__(self, event: InboundEvent) -> None:
        try:
            await self._handle(event)
        finally:
            self._metrics.observe_position(
                event.partition_id, event.sequence_number, event.enqueued_time, datetime.now(UTC)
            )

    async def _handle(self, event: InboundEvent) -> None:
        traceparent_var.set(child_traceparent(event.properties.get("traceparent")))
        correlation_id_var.set(event.properties.get("correlationId"))
        try:
            change = parse_event(event, self._decoder)
        except PoisonError as poison:
            await self._poison(event, poison)
            return
        correlation_id_var.set(change.order_id)
        outcome = await self._notifier.handle(change)
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
