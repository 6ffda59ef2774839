"""Charges an order exactly once and publishes the outcome, resuming wherever a previous delivery stopped.

The payment id is derived from the order id (``payment_id_for``) and is the gateway's idempotency key, so
every delivery of an order asks the gateway with the same key, and a gateway that already charged it
answers with the first result instead of charging again. That makes the gateway's answer safe to get
before the ledger has a row: a first delivery charges, inserts the row with the answer (``charged`` /
``failed``, insert-if-absent), publishes the outcome, then marks the row ``published`` (conditional on its
ETag): two Table round trips and no reads. Whatever happened to an earlier delivery of the same order (a
crash after the charge, after recording it, after publishing, a concurrent second worker), the next one
only does the steps that are left:

* no row (a crash before the record): charge again with the same key (the first answer comes back), then
  record it.
* ``charged`` / ``failed``: publish the outcome (same message id every time), then mark it published.
* ``published`` / ``refunded``: nothing left; the caller completes the message.

Only a request known to be the order's first (``first_request``: the broker's first delivery of the
message whose id is the order id, which the queue's duplicate detection lets in once) charges before any
read. Any other (a redelivery, a resubmission under another message id) reads the row first and never asks
the gateway again once an answer is recorded: a payment decided ``gateway_unavailable`` has no charge at
the gateway to replay, so asking again could charge an order already told it failed. Should a first
request still meet a row (a re-send after the duplicate detection window), its insert conflicts, the
ledger reads the row back and the row wins; the gateway replayed its answer, except after
``gateway_unavailable``, which is logged as an error (a charge to refund, like any unanswered call that
charged after all). A ``charging`` row (written by versions that inserted the row before charging) is
charged with its own payment id, then recorded.

A gateway that stays unanswered through the whole retry budget is an answer too: the payment is recorded
``failed`` with reason ``gateway_unavailable`` and goes the same way as a decline (publish ``PaymentFailed``,
mark it published), so the order is told and never waits for an outcome that will not come. A crash before
that record retries the gateway with the same idempotency key; a crash after it re-publishes the same
``PaymentFailed`` (same message id), exactly as for a decline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from payment_service.domain.errors import (
    ConcurrentUpdateError,
    GatewayGaveUpError,
    GatewayUnavailableError,
    PoisonMessageError,
)
from payment_service.domain.messages import outcome_envelope
from payment_service.domain.models import (
    ChargeResult,
    FailureReason,
    Money,
    Payment,
    PaymentRequest,
    PaymentState,
    card_last4,
    payment_id_for,
)
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

    async def process(
        self, request: PaymentRequest, *, traceparent: str | None = None, first_request: bool = False
    ) -> Payment:
        """Runs the remaining steps for this order; returns the row as it ends (published or later).
        ``first_request``: nothing can have handled this order before (see the module doc), so the
        gateway is asked before the ledger is read; otherwise the row is read first."""
        payment = None if first_request else await self._ledger.get(request.order_id)
        while True:
            if payment is None:
                payment = await self._charge_and_record(request)
            self._check_amount(payment, request)
            try:
                return await self._advance(payment, request, traceparent)
            except ConcurrentUpdateError:
                log.info("ledger row changed underneath, resuming", extra={"order_id": request.order_id})
                payment = await self._ledger.get(request.order_id)

    async def _charge_and_record(self, request: PaymentRequest) -> Payment:
        # The gateway first: its idempotency key is derived from the order, so asking again is harmless,
        # and the answer goes into the row's first write. When the row exists already, the ledger reads
        # it back and the caller resumes from there.
        payment_id = payment_id_for(request.order_id)
        result = await self._charge_with_retry(
            payment_id, request.order_id, request.amount, request.card_token
        )
        self._after_step("charge")
        decided = Payment(
            order_id=request.order_id,
            payment_id=payment_id,
            state=PaymentState.CHARGING,
            amount=request.amount,
            card_last4=card_last4(request.card_token),
            created_at=self._clock(),
        ).decided(result, self._clock())
        payment = await self._ledger.create(decided)
        if replace(payment, etag=None) == decided:  # this delivery wrote the row (not an earlier one)
            self._log_decided(payment)
            self._after_step("record")
        elif result.approved and payment.failure_reason is FailureReason.GATEWAY_UNAVAILABLE:
            log.error(
                "the gateway charged an order already recorded as failed (gateway unavailable); refund due",
                extra={"order_id": payment.order_id, "payment_id": payment.payment_id},
            )
        return payment

    @staticmethod
    def _check_amount(payment: Payment, request: PaymentRequest) -> None:
        if payment.amount != request.amount:
            raise PoisonMessageError(
                "AmountMismatch",
                f"order {request.order_id} was already requested for a different amount "
                f"({payment.amount.value} {payment.amount.currency})",
            )

    async def _advance(self, payment: Payment, request: PaymentRequest, traceparent: str | None) -> Payment:
        if payment.state is PaymentState.CHARGING:
            result = await self._charge_with_retry(
                payment.payment_id, payment.order_id, payment.amount, request.card_token
            )
            self._after_step("charge")
            payment = await self._ledger.update(payment.decided(result, self._clock()), previous=payment)
            self._log_decided(payment)
            self._after_step("record")
        if payment.state in (PaymentState.CHARGED, PaymentState.FAILED):
            await self._publisher.publish(outcome_envelope(payment), traceparent=traceparent)
            self._after_step("publish")
            payment = await self._ledger.update(payment.with_state(PaymentState.PUBLISHED), previous=payment)
            self._after_step("published")
        return payment

    @staticmethod
    def _log_decided(payment: Payment) -> None:
        log.info(
            "payment decided",
            extra={"order_id": payment.order_id, "payment_id": payment.payment_id, "state": payment.state},
        )

    async def _charge_with_retry(
        self, payment_id: str, order_id: str, amount: Money, card_token: str
    ) -> ChargeResult:
        """The gateway's answer; one that stays unanswered through the retry budget decides the payment
        ``gateway_unavailable``, recorded and published like a decline, never left pending."""
        try:
            return await self._charge_until_answered(payment_id, order_id, amount, card_token)
        except GatewayGaveUpError as gave_up:
            log.warning(
                "gateway unavailable after every retry; the payment fails",
                extra={"order_id": order_id, "attempts": gave_up.attempts},
            )
            return ChargeResult.gateway_unavailable()

    async def _charge_until_answered(
        self, payment_id: str, order_id: str, amount: Money, card_token: str
    ) -> ChargeResult:
        for attempt in range(1, self._retry.max_attempts + 1):
            try:
                return await self._gateway.charge(payment_id, amount, card_token)
            except GatewayUnavailableError:
                log.warning(
                    "gateway unavailable",
                    extra={"order_id": order_id, "attempt": attempt, "of": self._retry.max_attempts},
                )
                if attempt < self._retry.max_attempts:
                    await self._sleep(self._retry.delay(attempt))
        raise GatewayGaveUpError(self._retry.max_attempts)
