"""The saga messages payment reads and writes (contract-tests/messages, version 1).

Decoding and schema validation happen before these functions run (``servicekit.envelopes``); they only
map between envelopes and domain values.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from servicekit.envelopes import Envelope

from payment_service.domain.errors import PoisonMessageError
from payment_service.domain.models import Money, Payment, PaymentRequest

REQUEST_TYPE = "PaymentRequested"
SUCCEEDED_TYPE = "PaymentSucceeded"
FAILED_TYPE = "PaymentFailed"
VERSION = 1


def request_from_envelope(envelope: Envelope) -> PaymentRequest:
    data = envelope.data
    if data["paymentMethod"]["type"] != "card":
        raise PoisonMessageError("UnsupportedPaymentMethod", "only card payments are supported")
    return PaymentRequest(
        message_id=envelope.id,
        order_id=data["orderId"],
        amount=Money(Decimal(data["amount"]["value"]), data["amount"]["currency"]),
        card_token=data["paymentMethod"]["token"],
        customer_email=data["customer"]["email"],
    )


def outcome_envelope(payment: Payment) -> dict[str, Any]:
    """The outcome of a decided payment, identical on every call (a re-publish after a crash is a duplicate
    that consumers drop by message id, never a second, different fact)."""
    if payment.decided_at is None or payment.succeeded is None:
        raise ValueError(f"payment {payment.payment_id} has no outcome yet")
    data: dict[str, Any] = {
        "orderId": payment.order_id,
        "paymentId": payment.payment_id,
        "amount": payment.amount.wire(),
    }
    if payment.succeeded:
        data["authorizationCode"] = payment.authorization_code
    else:
        assert payment.failure_reason is not None  # a failed payment always records why
        data["reason"] = payment.failure_reason.value
        data["retryable"] = payment.failure_reason.retryable
    return {
        "id": payment.payment_id,
        "type": SUCCEEDED_TYPE if payment.succeeded else FAILED_TYPE,
        "version": VERSION,
        "occurredAt": payment.decided_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "correlationId": payment.order_id,
        "data": data,
    }
