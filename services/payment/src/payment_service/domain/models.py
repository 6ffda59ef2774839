"""Values the payment domain works with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class PaymentState(StrEnum):
    """Where a payment is in its life; the ledger row holds it so a redelivery resumes, never repeats.

    ``charged`` | ``failed`` (the gateway's answer is recorded) → ``published`` (the outcome message went
    out). ``refunded`` follows ``published`` for a charged payment only. ``charging`` (a row inserted before
    the charge) is only written by earlier versions; the processor still resumes such a row.
    """

    CHARGING = "charging"
    CHARGED = "charged"
    FAILED = "failed"
    PUBLISHED = "published"
    REFUNDED = "refunded"


class FailureReason(StrEnum):
    DECLINED = "declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    FRAUD_SUSPECTED = "fraud_suspected"
    # The gateway never answered within the retry budget: nobody judged the card.
    GATEWAY_UNAVAILABLE = "gateway_unavailable"

    @property
    def retryable(self) -> bool:
        """``PaymentFailed.retryable``: whether the same card may succeed if the customer tries again.

        Only an unanswered gateway is transient; a decline, missing funds or suspected fraud is the card
        issuer's answer and would be given again.
        """
        return self is FailureReason.GATEWAY_UNAVAILABLE


@dataclass(frozen=True)
class Money:
    value: Decimal
    currency: str

    def wire(self) -> dict[str, str]:
        return {"value": f"{self.value:.2f}", "currency": self.currency}


@dataclass(frozen=True)
class PaymentRequest:
    """A validated ``PaymentRequested`` message, reduced to what charging needs."""

    message_id: str
    order_id: str
    amount: Money
    card_token: str
    customer_email: str


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    authorization_code: str | None = None
    failure_reason: FailureReason | None = None

    @classmethod
    def gateway_unavailable(cls) -> ChargeResult:
        """What the worker records when the gateway stayed unanswered through every retry."""
        return cls(approved=False, failure_reason=FailureReason.GATEWAY_UNAVAILABLE)


@dataclass(frozen=True)
class Payment:
    """One ledger row: the payment of one order. ``etag`` guards concurrent writers."""

    order_id: str
    payment_id: str
    state: PaymentState
    amount: Money
    card_last4: str
    created_at: datetime
    decided_at: datetime | None = None
    authorization_code: str | None = None
    failure_reason: FailureReason | None = None
    succeeded: bool | None = None
    refund_id: str | None = None
    refunded_at: datetime | None = None
    etag: str | None = None

    def decided(self, result: ChargeResult, at: datetime) -> Payment:
        return replace(
            self,
            state=PaymentState.CHARGED if result.approved else PaymentState.FAILED,
            succeeded=result.approved,
            authorization_code=result.authorization_code,
            failure_reason=result.failure_reason,
            decided_at=at,
        )

    def with_state(self, state: PaymentState) -> Payment:
        return replace(self, state=state)


# Payment ids are UUIDv5 of the order id in this namespace: every delivery of an order derives the same id.
PAYMENT_ID_NAMESPACE = uuid.UUID("0f7c3a52-6d1e-5b8a-9c44-2e1f3d5a7b60")


def payment_id_for(order_id: str) -> str:
    """The order's payment id: the gateway's idempotency key and the outcome's message id. Derived, not
    drawn, so a delivery that finds no ledger row (a crash between the charge and its record) asks the
    gateway with the key of the first charge and gets its answer back instead of a second charge."""
    return str(uuid.uuid5(PAYMENT_ID_NAMESPACE, order_id))


def card_last4(token: str) -> str:
    """Only the last four characters of a card number are ever stored or shown."""
    return token[-4:] if len(token) >= 4 else "****"
