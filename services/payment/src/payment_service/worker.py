"""The worker's message handling: a ``payment-requests`` message in, a settlement decision out.

Poison is dead-lettered with a reason and a description naming the field and the rule, never the value:
an unreadable envelope with the reasons every consumer shares (``servicekit.envelopes``: ``MalformedBody``,
``SchemaViolation``, ``UnknownMessageType``), a request payment cannot take with the domain's
(``UnsupportedPaymentMethod``, ``AmountMismatch``).
A gateway that stays unanswered through every retry is not poison: the processor records the payment
``failed`` (``gateway_unavailable``) and publishes ``PaymentFailed`` (``retryable: true``), and the message
is completed like any other decided payment; the ledger row and the published event are the record.
Anything unexpected abandons the message for redelivery (MaxDeliveryCount bounds it).

``payment_outcomes_total{outcome}`` counts completed requests by outcome: ``succeeded``, ``failed`` (the
gateway declined) or ``gateway_unavailable`` (the gateway never answered).
"""

from __future__ import annotations

import logging
import time

from servicekit.contracts import Contracts
from servicekit.envelopes import EnvelopeDecoder, PoisonError
from servicekit.logs import correlation_id_var
from servicekit.tracing import current_traceparent

from payment_service.adapters.servicebus import Inbound, Settlement
from payment_service.domain.errors import PoisonMessageError
from payment_service.domain.messages import REQUEST_TYPE, VERSION, request_from_envelope
from payment_service.domain.models import FailureReason, Payment, PaymentRequest
from payment_service.domain.processor import PaymentProcessor
from payment_service.metrics import WorkerMetrics

log = logging.getLogger(__name__)


def parse_request(inbound: Inbound, decoder: EnvelopeDecoder) -> PaymentRequest:
    """The request in ``inbound``; ``PoisonError`` (unreadable envelope) or ``PoisonMessageError``
    (a request payment cannot take) otherwise."""
    return request_from_envelope(decoder.decode(inbound.body, inbound.properties))


class PaymentRequestHandler:
    """Runs inside the message's CONSUMER span (``adapters.servicebus``): the ledger's calls are spans
    under it, log lines carry its ids, and the outcome message its traceparent."""

    def __init__(self, contracts: Contracts, processor: PaymentProcessor, metrics: WorkerMetrics) -> None:
        self._decoder = EnvelopeDecoder(contracts, (REQUEST_TYPE, VERSION))
        self._processor = processor
        self._metrics = metrics

    async def __call__(self, inbound: Inbound) -> Settlement:
        # Each message runs in its own task, so this context variable never leaks between messages.
        correlation_id_var.set(inbound.correlation_id or inbound.message_id)
        started = time.monotonic()
        log.info(
            "payment request received",
            extra={"message_id": inbound.message_id, "delivery_count": inbound.delivery_count},
        )
        settlement = await self._decide(inbound)
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

    async def _decide(self, inbound: Inbound) -> Settlement:
        try:
            request = parse_request(inbound, self._decoder)
            payment = await self._processor.process(
                request, traceparent=current_traceparent(), first_request=is_first_request(inbound, request)
            )
        except (PoisonError, PoisonMessageError) as poison:
            return Settlement.dead_letter(poison.reason, poison.description)
        outcome = outcome_label(payment)
        self._metrics.outcomes.labels(outcome).inc()
        log.info(
            "payment request settled",
            extra={
                "order_id": payment.order_id,
                "payment_id": payment.payment_id,
                "state": payment.state,
                "outcome": outcome,
            },
        )
        return Settlement.complete()


def is_first_request(inbound: Inbound, request: PaymentRequest) -> bool:
    """Whether nothing can have handled this order before: the broker's first delivery of the message
    whose id is the order id (the order service's outbox sends it so, and the queue's duplicate detection
    drops a second one within its window). A redelivery or a request under another id is not."""
    return inbound.delivery_count == 0 and inbound.message_id == request.order_id


def outcome_label(payment: Payment) -> str:
    """The ``outcome`` label of ``payment_outcomes_total``: a gateway that never answered is told apart
    from a decline, as operators act on the two differently."""
    if payment.succeeded:
        return "succeeded"
    if payment.failure_reason is FailureReason.GATEWAY_UNAVAILABLE:
        return "gateway_unavailable"
    return "failed"
