"""One ``order-events`` event in: validated against the contract, then notified once, or recorded as poison.

Poison (not JSON, breaks the schema, a type/version we do not know) is logged with a reason, written to
the notification log under its hub position, and passed over (the checkpoint moves past it); it never
stops the consumer.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from servicekit.contracts import Contracts
from servicekit.logs import child_traceparent, correlation_id_var, traceparent_var

from notification_service.adapters.eventhub import InboundEvent
from notification_service.domain.errors import PoisonEventError
from notification_service.domain.models import Customer, OrderStatus, StatusChange
from notification_service.domain.notifier import Notifier
from notification_service.metrics import Metrics

log = logging.getLogger(__name__)

EVENT_TYPE = "OrderStatusChanged"
VERSION = 1
_MAX_DESCRIPTION = 1000


def parse_event(event: InboundEvent, contracts: Contracts) -> StatusChange:
    if event.body is None:
        raise PoisonEventError("UnsupportedBody", "the body is not AMQP data (expected a JSON document)")
    try:
        envelope: Any = json.loads(event.body)
    except UnicodeDecodeError:
        raise PoisonEventError("InvalidJson", "the body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise PoisonEventError(
            "InvalidJson", f"the body is not JSON: {exc.msg} at offset {exc.pos}"
        ) from None
    if not isinstance(envelope, dict):
        raise PoisonEventError("InvalidJson", "the body is JSON but not an object")
    event_type = event.properties.get("type", envelope.get("type"))
    version = event.properties.get("version", envelope.get("version"))
    if event_type != EVENT_TYPE or str(version) != str(VERSION) or not contracts.knows(EVENT_TYPE, VERSION):
        raise PoisonEventError(
            "UnknownMessageType", f"type {event_type!r} version {version!r} is not handled here"
        )
    violations = contracts.violations(envelope, EVENT_TYPE, VERSION)
    if violations:
        raise PoisonEventError("SchemaViolation", "; ".join(map(str, violations))[:_MAX_DESCRIPTION])
    data = envelope["data"]
    customer = data["customer"]
    return StatusChange(
        event_id=envelope["id"],
        order_id=data["orderId"],
        previous_status=OrderStatus(data["previousStatus"]) if data.get("previousStatus") else None,
        status=OrderStatus(data["status"]),
        customer=Customer(customer["email"], customer["name"], customer.get("phone")),
        total_value=data["total"]["value"],
        total_currency=data["total"]["currency"],
        reason=data.get("reason"),
        occurred_at=envelope["occurredAt"],
    )


def _event_id(body: bytes | None) -> str | None:
    try:
        value = json.loads(body or b"").get("id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


class OrderEventHandler:
    def __init__(self, contracts: Contracts, notifier: Notifier, metrics: Metrics) -> None:
        self._contracts = contracts
        self._notifier = notifier
        self._metrics = metrics

    async def __call__(self, event: InboundEvent) -> None:
        traceparent_var.set(child_traceparent(event.properties.get("traceparent")))
        correlation_id_var.set(event.properties.get("correlationId"))
        try:
            change = parse_event(event, self._contracts)
        except PoisonEventError as poison:
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

    async def _poison(self, event: InboundEvent, poison: PoisonEventError) -> None:
        self._metrics.events.labels("poison").inc()
        self._metrics.poison.labels(poison.reason).inc()
        log.warning(
            "poison event passed over",
            extra={"position": event.position, "reason": poison.reason, "description": poison.description},
        )
        await self._notifier.record_poison(
            key=event.position,
            event_id=_event_id(event.body),
            reason=poison.reason,
            description=poison.description,
        )
