"""Refunds of charged payments (admin only): at most one refund per payment, repeatable safely."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from payment_service.domain.errors import PaymentNotFoundError, RefundNotAllowedError
from payment_service.domain.models import Payment, PaymentState
from payment_service.domain.ports import Gateway, Ledger


async def refund_payment(
    ledger: Ledger,
    gateway: Gateway,
    order_id: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[Payment, bool]:
    """Refunds the order's payment in full. Returns the row and whether this call did the refund
    (False: it had been refunded already, nothing happened)."""
    payment = await ledger.get(order_id)
    if payment is None:
        raise PaymentNotFoundError(order_id)
    if payment.state is PaymentState.REFUNDED:
        return payment, False
    if payment.state is not PaymentState.PUBLISHED or not payment.succeeded:
        raise RefundNotAllowedError(order_id, "failed" if payment.succeeded is False else payment.state.value)
    refund_id = await gateway.refund(f"refund-{payment.payment_id}", payment.payment_id, payment.amount)
    refunded = replace(payment, state=PaymentState.REFUNDED, refund_id=refund_id, refunded_at=clock())
    return await ledger.update(refunded), True
