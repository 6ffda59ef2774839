"""The worker's message handling: a ``payment-requests`` message in, a settlement decision out.

Poison (not JSON, breaks the schema, a type/version we do not know, an amount that contradicts the
ledger) is dead-lettered with a reason and a description naming the field and the rule, never the value.
A gateway that stays unanswered through every retry is dead-lettered as ``GatewayUnavailable``; the ledger
row stays ``charging``, so a resubmitted message retries with the same idempotency key and cannot charge
twice. Anything unexpected abandons the message for redelivery (MaxDeliveryCount bounds it).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from servicekit.contracts import Contracts
from servicekit.logs import child_traceparent, correlation_id_var, traceparent_var

from payment_service.adapters.servicebus import Inbound, Settlement
from payment_service.domain.errors import GatewayGaveUpError, PoisonMessageError
from payment_service.domain.messages import REQUEST_TYPE, VERSION, request_from_envelope
from payment_service.domain.models import PaymentRequest
from payment_service.domain.processor import PaymentProcessor
from payment_service.metrics import WorkerMetrics

log = logging.getLogger(__name__)

_MAX_DESCRIPTION = 1000


def parse_request(inbound: Inbound, contracts: Contracts) -> PaymentRequest:
    if inbound.body is None:
        raise PoisonMessageError("UnsupportedBody", "the body is not AMQP data (expected a JSON document)")
    try:
        envelope: Any = json.loads(inbound.body)
    except UnicodeDecodeError:
        raise PoisonMessageError("InvalidJson", "the body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise PoisonMessageError(
            "InvalidJson", f"the body is not JSON: {exc.msg} at offset {exc.pos}"
        ) from None
    if not isinstance(envelope, dict):
        raise PoisonMessageError("InvalidJson", "the body is JSON but not an object")
    message_type = inbound.properties.get("type", envelope.get("type"))
    version = inbound.properties.get("version", envelope.get("version"))
    if (
        message_type != REQUEST_TYPE
        or str(version) != str(VERSION)
        or not contracts.knows(REQUEST_TYPE, VERSION)
    ):
        raise PoisonMessageError(
            "UnknownMessageType", f"type {message_type!r} version {version!r} is not handled here"
        )
    violations = contracts.violations(envelope, REQUEST_TYPE, VERSION)
    if violations:
        raise PoisonMessageError("SchemaViolation", "; ".join(map(str, violations))[:_MAX_DESCRIPTION])
    return request_from_envelope(envelope)


class PaymentRequestHandler:
    def __init__(self, contracts: Contracts, processor: PaymentProcessor, metrics: WorkerMetrics) -> None:
        self._contracts = contracts
        self._processor = processor
        self._metrics = metrics

    async def __call__(self, inbound: Inbound) -> Settlement:
        # Each message runs in its own task, so these context variables never leak between messages.
        correlation_id_var.set(inbound.correlation_id or inbound.message_id)
        traceparent = child_traceparent(inbound.properties.get("traceparent"))
        traceparent_var.set(traceparent)
        started = time.monotonic()
        log.info(
            "payment request received",
            extra={"message_id": inbound.message_id, "delivery_count": inbound.delivery_count},
        )
        settlement = await self._decide(inbound, traceparent)
        self._metrics.processing.observe(time.monotonic() - started)
        self._metrics.messages.labels(settlement.action).inc()
        if settlement.action == "dead_letter":
            self._metrics.dead_letters.labels(settlement.reason).inc()
            log.warning(
                "dead-lettering message",
                extra={
                    "message_id": inbound.message_id,
                    "reason": settlement.reason,
                    "description": settlement.description,
                    "delivery_count": inbound.delivery_count,
                },
            )
        return settlement

    async def _decide(self, inbound: Inbound, traceparent: str) -> Settlement:
        try:
            request = parse_request(inbound, self._contracts)
            payment = await self._processor.process(request, traceparent=traceparent)
        except PoisonMessageError as poison:
            return Settlement.dead_letter(poison.reason, poison.description)
        except GatewayGaveUpError as gave_up:
            return Settlement.dead_letter("GatewayUnavailable", str(gave_up))
        self._metrics.outcomes.labels("succeeded" if payment.succeeded else "failed").inc()
        log.info(
            "payment request settled",
            extra={"order_id": payment.order_id, "payment_id": payment.payment_id, "state": payment.state},
        )
        return Settlement.complete()
