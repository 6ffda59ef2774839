"""The Table storage ledger on real Azurite."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from payment_service.adapters.ledger import TableLedger
from payment_service.domain.errors import ConcurrentUpdateError
from payment_service.domain.models import ChargeResult, Money, Payment, PaymentState


def new_payment(order_id: str | None = None) -> Payment:
    return Payment(
        order_id=order_id or f"ord_{uuid.uuid4().hex[:8]}",
        payment_id=str(uuid.uuid4()),
        state=PaymentState.CHARGING,
        amount=Money(Decimal("59.97"), "EUR"),
        card_last4="4242",
        created_at=datetime.now(UTC),
    )


async def test_create_then_get_round_trips_every_field(ledger: TableLedger) -> None:
    created = await ledger.create(new_payment())
    decided = await ledger.update(created.decided(ChargeResult(True, "AUTH-1"), datetime.now(UTC)))

    stored = await ledger.get(created.order_id)

    assert stored == decided


async def test_create_of_existing_order_returns_the_existing_row(ledger: TableLedger) -> None:
    first = await ledger.create(new_payment("ord_dup"))
    second = await ledger.create(new_payment("ord_dup"))
    assert second.payment_id == first.payment_id


async def test_update_with_stale_etag_is_concurrent_update(ledger: TableLedger) -> None:
    created = await ledger.create(new_payment())
    await ledger.update(created.with_state(PaymentState.CHARGED))
    with pytest.raises(ConcurrentUpdateError):
        await ledger.update(replace(created, state=PaymentState.FAILED))


async def test_order_ids_with_characters_table_keys_forbid_are_stored(ledger: TableLedger) -> None:
    created = await ledger.create(new_payment("ord/with#odd?chars\\"))
    stored = await ledger.get("ord/with#odd?chars\\")
    assert stored is not None
    assert stored.payment_id == created.payment_id


async def test_missing_order_is_none(ledger: TableLedger) -> None:
    assert await ledger.get("ord_absent") is None
