"""Mapping between envelopes and domain values; the outcomes are checked against the contract schemas."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from payment_service.domain.messages import outcome_envelope, request_from_envelope
from payment_service.domain.models import ChargeResult, FailureReason, Money, Payment, PaymentState
from servicekit.contracts import Contracts
from servicekit.envelopes import Envelope

from ..conftest import CONTRACTS, payment_requested


def charging() -> Payment:
    return Payment(
        order_id="ord_7f3a9c",
        payment_id=str(uuid.uuid4()),
        state=PaymentState.CHARGING,
        amount=Money(Decimal("59.97"), "EUR"),
        card_last4="4242",
        created_at=datetime.now(UTC),
    )


def test_request_from_envelope_keeps_money_as_decimal() -> None:
    request = request_from_envelope(Envelope.from_document(payment_requested(order_id="ord_1")))
    assert request.order_id == "ord_1"
    assert request.amount == Money(Decimal("59.97"), "EUR")


@pytest.mark.parametrize(
    ("result", "message_type"),
    [
        (ChargeResult(True, "AUTH-1"), "PaymentSucceeded"),
        (ChargeResult(False, failure_reason=FailureReason.INSUFFICIENT_FUNDS), "PaymentFailed"),
        (ChargeResult.gateway_unavailable(), "PaymentFailed"),
    ],
)
def test_outcome_envelope_matches_its_contract(result: ChargeResult, message_type: str) -> None:
    payment = charging().decided(result, datetime(2026, 11, 26, 8, 0, 1, 250000, tzinfo=UTC))

    envelope = outcome_envelope(payment)

    assert envelope["type"] == message_type
    assert envelope["id"] == payment.payment_id
    assert envelope["occurredAt"] == "2026-11-26T08:00:01.250Z"
    assert Contracts(CONTRACTS).violations(envelope, message_type, 1) == []


@pytest.mark.parametrize(
    ("reason", "retryable"),
    [
        (FailureReason.DECLINED, False),
        (FailureReason.INSUFFICIENT_FUNDS, False),
        (FailureReason.FRAUD_SUSPECTED, False),
        # Nobody judged the card: the same card may well succeed when the customer tries again.
        (FailureReason.GATEWAY_UNAVAILABLE, True),
    ],
)
def test_payment_failed_says_whether_trying_again_can_succeed(reason: FailureReason, retryable: bool) -> None:
    payment = charging().decided(ChargeResult(False, failure_reason=reason), datetime.now(UTC))

    data = outcome_envelope(payment)["data"]

    assert (data["reason"], data["retryable"]) == (reason.value, retryable)


def test_outcome_envelope_is_identical_on_every_call() -> None:
    payment = charging().decided(ChargeResult(True, "AUTH-1"), datetime.now(UTC))
    assert outcome_envelope(payment) == outcome_envelope(payment)


def test_outcome_of_undecided_payment_is_refused() -> None:
    with pytest.raises(ValueError, match="no outcome yet"):
        outcome_envelope(charging())
