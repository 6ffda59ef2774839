"""The gateway simulator: test cards and its idempotency key, on a real SQLite state file."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from payment_service.adapters.gateway import (
    CARD_DECLINED,
    CARD_GATEWAY_TIMEOUT,
    CARD_INSUFFICIENT_FUNDS,
    CARD_SUCCESS,
    SimulatedGateway,
    luhn_valid,
)
from payment_service.domain.errors import GatewayUnavailableError
from payment_service.domain.models import FailureReason, Money

AMOUNT = Money(Decimal("10.00"), "EUR")


async def test_success_card_is_approved_with_an_authorization_code(gateway: SimulatedGateway) -> None:
    result = await gateway.charge("pay-1", AMOUNT, CARD_SUCCESS)
    assert result.approved
    assert result.authorization_code is not None


@pytest.mark.parametrize(
    ("card", "reason"),
    [
        (CARD_DECLINED, FailureReason.DECLINED),
        (CARD_INSUFFICIENT_FUNDS, FailureReason.INSUFFICIENT_FUNDS),
        ("1234", FailureReason.DECLINED),
    ],
)
async def test_decline_cards_fail_with_their_reason(
    gateway: SimulatedGateway, card: str, reason: FailureReason
) -> None:
    result = await gateway.charge(f"pay-{card}", AMOUNT, card)
    assert not result.approved
    assert result.failure_reason is reason


async def test_timeout_card_raises_gateway_unavailable_and_charges_nothing(gateway: SimulatedGateway) -> None:
    with pytest.raises(GatewayUnavailableError):
        await gateway.charge("pay-t", AMOUNT, CARD_GATEWAY_TIMEOUT)
    assert gateway.charges() == []


async def test_repeated_idempotency_key_returns_first_answer_without_charging_again(
    gateway_state: Path, gateway: SimulatedGateway
) -> None:
    first = await gateway.charge("pay-same", AMOUNT, CARD_SUCCESS)
    # A second process (restarted worker) sharing the state file.
    again = await SimulatedGateway(gateway_state, "sk_test_x", fraud_review_seconds=0).charge(
        "pay-same", AMOUNT, CARD_SUCCESS
    )
    assert again == first
    assert len(gateway.charges()) == 1
    assert gateway.attempts("pay-same") == ["charged", "replayed"]


async def test_state_file_is_in_wal_mode_so_the_api_and_the_worker_do_not_block_each_other(
    gateway_state: Path, gateway: SimulatedGateway
) -> None:
    await gateway.charge("pay-wal", AMOUNT, CARD_SUCCESS)
    other = sqlite3.connect(gateway_state)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert other.execute("SELECT COUNT(*) FROM charges").fetchone() == (1,)
    finally:
        other.close()


def test_gateway_refuses_live_keys(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="test keys"):
        SimulatedGateway(tmp_path / "g.sqlite3", "sk_live_123", fraud_review_seconds=0)


def test_luhn_check_accepts_test_cards_and_rejects_typos() -> None:
    assert luhn_valid(CARD_SUCCESS)
    assert not luhn_valid("4242424242424241")
