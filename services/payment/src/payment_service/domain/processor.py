"""Charges an order exactly once and publishes the outcome, resuming wherever a previous delivery stopped.

The ledger row is the state machine, written once per transition (insert ``charging``, then replace with
``charged`` / ``failed``, then ``published``), each write conditional (insert-if-absent, then the ETag), so
a payment costs three Table round trips and no reads. Whatever happened to an earlier delivery of the same
order (a crash after the charge, after recording it, after publishing, a concurrent second worker), the
next delivery finds the row when its insert conflicts and only does the steps that are left:

* ``charging``: ask the gateway with the payment id as idempotency key; a gateway that already charged
  that key answers with the first result instead of charging again. Then record the answer.
* ``charged`` / ``failed``: publish the outcome (same message id every time), then mark it published.
* ``published`` / ``refunded``: nothing left; the caller completes the message.

A gateway that stays unanswered through the whole retry budget is an answer too: the payment is recorded
``failed`` with reason ``gateway_unavailable`` and goes the same way as a decline (publish ``PaymentFailed``,
mark it published), so the order is told and never waits for an outcome that will not come. A crash before
that record retries the gateway with the same idempotency key; a crash after it re-publishes the same
``PaymentFailed`` (same message id), exactly as for a decline.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from payment_service.domain.errors import (
    ConcurrentUpdateError,
    GatewayGaveUpError,
    GatewayUnavailableError,
    PoisonMessageError,
)
from payment_service.domain.messages import outcome_envelope
from payment_service.domain.models import ChargeResult, Payment, PaymentRequest, PaymentState, card_last4
from payment_service.domain.ports import Gateway, Ledger, Publisher, StepHook

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for an unanswered gateway: base, 2·base, 4·base … capped at ``max_delay``."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int) -> float:
        return float(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def _no_hook(step: str) -> None:
    return None


class PaymentProcessor:
    def __init__(
        self,
        ledger: Ledger,
        gateway: Gateway,
        publisher: Publisher,
        retry: RetryPolicy,
        *,
        after_step: StepHook = _no_hook,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._ledger = ledger
        self._gateway = gateway
        self._publisher = publisher
        self._retry = retry
        self._after_step = after_step
        self._clock = clock
        self._sleep = sleep

    async def process(self, request: PaymentRequest, *, traceparent: str | None = None) -> Payment:
        """Runs the remaining steps for this order; returns the row as it ends (published or later)."""
        while True:
            payment = await self._current(request)
            try:
                return await self._advance(payment, request, traceparent)
            except ConcurrentUpdateError:
                log.info("ledger row changed underneath, resuming", extra={"order_id": request.order_id})

    async def _current(self, request: PaymentRequest) -> Payment:
        # Insert first: a first delivery (nearly all of them) is one round trip, and a conditional insert
        # needs no read before it. Only when the row exists does the ledger read it back.
        payment = await self._ledger.create(
            Payment(
                order_id=request.order_id,
                payment_id=str(uuid.uuid4()),
                state=PaymentState.CHARGING,
                amount=request.amount,
                card_last4=card_last4(request.card_token),
                created_at=self._clock(),
            )
        )
        if payment.amount != request.amount:
            raise PoisonMessageError(
                "AmountMismatch",
                f"order {request.order_id} was already requested for a different amount "
                f"({payment.amount.value} {payment.amount.currency})",
            )
        return payment

    async def _advance(self, payment: Payment, request: PaymentRequest, traceparent: str | None) -> Payment:
        if payment.state is PaymentState.CHARGING:
            try:
                result = await self._charge_with_retry(payment, request)
            except GatewayGaveUpError as gave_up:
                # The outcome is decided here: recorded and published like a decline, never left pending.
                log.warning(
                    "gateway unavailable after every retry; the payment fails",
                    extra={"order_id": payment.order_id, "attempts": gave_up.attempts},
                )
                result = ChargeResult.gateway_unavailable()
            self._after_step("charge")
            payment = await self._ledger.update(payment.decided(result, self._clock()))
            log.info(
                "payment decided",
                extra={
                    "order_id": payment.order_id,
                    "payment_id": payment.payment_id,
                    "state": payment.state,
                },
            )
            self._after_step("record")
        if payment.state in (PaymentState.CHARGED, PaymentState.FAILED):
            await self._publisher.publish(outcome_envelope(payment), traceparent=traceparent)
            self._after_step("publish")
            payment = await self._ledger.update(payment.with_state(PaymentState.PUBLISHED))
            self._after_step("published")
        return payment

    async def _charge_with_retry(self, payment: Payment, request: PaymentRequest) -> ChargeResult:
        for attempt in range(1, self._retry.max_attempts + 1):
            try:
                return await self._gateway.charge(payment.payment_id, payment.amount, request.card_token)
            except GatewayUnavailableError:
                log.warning(
                    "gateway unavailable",
                    extra={"order_id": payment.order_id, "attempt": attempt, "of": self._retry.max_attempts},
                )
                if attempt < self._retry.max_attempts:
                    await self._sleep(self._retry.delay(attempt))
        raise GatewayGaveUpError(self._retry.max_attempts)
