"""The Table storage ledger on real Azurite."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from azure.core.exceptions import ResourceNotFoundError
from payment_service.adapters.ledger import TableLedger, to_entity
from payment_service.domain.errors import ConcurrentUpdateError
from payment_service.domain.models import ChargeResult, Money, Payment, PaymentState
from servicekit.tables import partition_key


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


async def stored_row(ledger: TableLedger, order_id: str, row_key: str | None = None) -> dict[str, object]:
    """The row as Table storage holds it, every property (``get`` maps only the ones it knows)."""
    key = partition_key(order_id)
    entity = await ledger._client.get_entity(key, row_key or key)
    return dict(entity)


async def test_no_two_orders_rows_share_a_row_key(ledger: TableLedger) -> None:
    # Azurite finds a row by its RowKey and scans all rows sharing it: a shared one makes every write
    # cost more with each payment recorded (services/payment/README.md, Cost per payment).
    first, second = await ledger.create(new_payment()), await ledger.create(new_payment())

    row_keys = [(await stored_row(ledger, p.order_id))["RowKey"] for p in (first, second)]

    assert row_keys == [partition_key(first.order_id), partition_key(second.order_id)]


async def test_a_row_under_the_old_row_key_is_read_and_updated_where_it_is(ledger: TableLedger) -> None:
    old = new_payment()
    metadata = await ledger._client.create_entity(to_entity(old, row_key="payment"))
    stored = replace(old, etag=metadata["etag"])
    assert await ledger.get(old.order_id) == stored

    decided = await ledger.update(
        stored.decided(ChargeResult(True, "AUTH-1"), datetime.now(UTC)), previous=stored
    )
    published = await ledger.update(decided.with_state(PaymentState.PUBLISHED))

    assert (await stored_row(ledger, old.order_id, "payment"))["State"] == PaymentState.PUBLISHED.value
    assert await ledger.get(old.order_id) == published
    with pytest.raises(ResourceNotFoundError):
        await stored_row(ledger, old.order_id)  # not copied under the new key
    with pytest.raises(ConcurrentUpdateError):
        await ledger.update(replace(decided, state=PaymentState.FAILED))  # still conditional there


async def test_an_update_given_the_previous_row_leaves_the_row_a_replace_leaves(ledger: TableLedger) -> None:
    # The same steps on two orders: one writes each step whole, the other only what changed (a merge).
    replaced = await ledger.create(new_payment())
    merged = await ledger.create(replace(new_payment(), created_at=replaced.created_at))
    decided_at = datetime.now(UTC)
    steps = [
        lambda p: p.decided(ChargeResult(True, "AUTH-1"), decided_at),
        lambda p: p.with_state(PaymentState.PUBLISHED),
        lambda p: replace(p, state=PaymentState.REFUNDED, refund_id="ref-1", refunded_at=decided_at),
    ]
    for step in steps:
        replaced = await ledger.update(step(replaced))
        merged = await ledger.update(step(merged), previous=merged)
        by_replace = await stored_row(ledger, replaced.order_id)
        by_merge = await stored_row(ledger, merged.order_id)

        assert await ledger.get(merged.order_id) == merged
        different = {"PartitionKey", "RowKey", "OrderId", "PaymentId"}
        assert {k: v for k, v in by_merge.items() if k not in different} == {
            k: v for k, v in by_replace.items() if k not in different
        }


async def test_an_update_that_drops_a_property_removes_it_from_the_row(ledger: TableLedger) -> None:
    created = await ledger.create(new_payment())
    refunded = await ledger.update(replace(created, refund_id="ref-1"), previous=created)

    back = await ledger.update(replace(refunded, refund_id=None), previous=refunded)

    assert "RefundId" not in await stored_row(ledger, back.order_id)
    assert await ledger.get(back.order_id) == back


async def test_an_update_given_the_previous_row_is_still_conditional(ledger: TableLedger) -> None:
    created = await ledger.create(new_payment())
    await ledger.update(created.with_state(PaymentState.CHARGED), previous=created)
    with pytest.raises(ConcurrentUpdateError):
        await ledger.update(replace(created, state=PaymentState.FAILED), previous=created)
