"""The payments ledger in Azure Table storage (azure-data-tables, aio); Azurite locally.

One row per order, keyed by the order id in both PartitionKey and RowKey (characters Table keys forbid
are percent-encoded). Writes after the first are conditional on the row's ETag, so two workers holding
deliveries of the same order can never overwrite each other's step.

The RowKey was once the constant ``payment``. Table storage finds a row by both keys either way, but
Azurite looks an entity up by its RowKey first and then scans every row sharing it: with one RowKey for
all, each insert and merge cost it more with every payment ever recorded (services/payment/README.md,
Cost per payment). Rows written under the old key are still read and updated where they are; new rows
never use it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode
from servicekit.tables import TableStore, partition_key

from payment_service.domain.errors import ConcurrentUpdateError
from payment_service.domain.models import FailureReason, Money, Payment, PaymentState

# The RowKey of the rows written before the order id became it.
_LEGACY_ROW_KEY = "payment"
_KEYS = ("PartitionKey", "RowKey")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _from_iso(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def to_entity(payment: Payment, *, row_key: str | None = None) -> dict[str, Any]:
    """The row of ``payment``: under its order id as RowKey unless ``row_key`` names the one it has."""
    key = partition_key(payment.order_id)
    entity: dict[str, Any] = {
        "PartitionKey": key,
        "RowKey": row_key or key,
        "OrderId": payment.order_id,
        "PaymentId": payment.payment_id,
        "State": payment.state.value,
        "Amount": f"{payment.amount.value:.2f}",
        "Currency": payment.amount.currency,
        "CardLast4": payment.card_last4,
        "CreatedAt": _iso(payment.created_at),
        "DecidedAt": _iso(payment.decided_at),
        "Succeeded": payment.succeeded,
        "AuthorizationCode": payment.authorization_code,
        "FailureReason": payment.failure_reason.value if payment.failure_reason else None,
        "RefundId": payment.refund_id,
        "RefundedAt": _iso(payment.refunded_at),
    }
    return {key: value for key, value in entity.items() if value is not None}


def from_entity(entity: dict[str, Any], etag: str | None) -> Payment:
    created = _from_iso(entity["CreatedAt"])
    assert created is not None  # written on insert
    reason = entity.get("FailureReason")
    return Payment(
        order_id=str(entity["OrderId"]),
        payment_id=str(entity["PaymentId"]),
        state=PaymentState(entity["State"]),
        amount=Money(Decimal(str(entity["Amount"])), str(entity["Currency"])),
        card_last4=str(entity["CardLast4"]),
        created_at=created,
        decided_at=_from_iso(entity.get("DecidedAt")),
        succeeded=entity.get("Succeeded"),
        authorization_code=entity.get("AuthorizationCode"),
        failure_reason=FailureReason(reason) if reason else None,
        refund_id=entity.get("RefundId"),
        refunded_at=_from_iso(entity.get("RefundedAt")),
        etag=etag,
    )


class TableLedger(TableStore):
    async def get(self, order_id: str) -> Payment | None:
        key = partition_key(order_id)
        for row_key in (key, _LEGACY_ROW_KEY):
            try:
                entity = await self._client.get_entity(key, row_key)
            except ResourceNotFoundError:
                continue
            return from_entity(dict(entity), entity.metadata.get("etag"))
        return None

    async def create(self, payment: Payment) -> Payment:
        try:
            # The answer needs only the ETag: without the row echoed back (Table storage's
            # "Prefer: return-no-content", 204), neither side serialises or parses it again.
            metadata = await self._client.create_entity(
                to_entity(payment), response_preference="return-no-content"
            )
        except ResourceExistsError:
            existing = await self.get(payment.order_id)
            assert existing is not None  # rows are never deleted
            return existing
        return _with_etag(payment, metadata.get("etag"))

    async def update(self, payment: Payment, *, previous: Payment | None = None) -> Payment:
        try:
            return await self._update(payment, previous, row_key=None)
        except ResourceNotFoundError:
            # A row written under the old RowKey (get found it there): updated where it is.
            return await self._update(payment, previous, row_key=_LEGACY_ROW_KEY)

    async def _update(self, payment: Payment, previous: Payment | None, *, row_key: str | None) -> Payment:
        entity = to_entity(payment, row_key=row_key)
        mode = UpdateMode.REPLACE
        if previous is not None:
            before = to_entity(previous, row_key=row_key)
            if before.keys() <= entity.keys():
                # A merge of the keys and what changed: the row ends the same as replaced whole, and the
                # SDK serialises (and Table storage parses) three properties instead of a dozen when only
                # the state moves on. A property that went away needs the replace.
                entity = {
                    key: value
                    for key, value in entity.items()
                    if key in _KEYS or before.get(key) != value or type(before.get(key)) is not type(value)
                }
                mode = UpdateMode.MERGE
        try:
            metadata = await self._client.update_entity(
                entity, mode=mode, etag=payment.etag, match_condition=MatchConditions.IfNotModified
            )
        except ResourceModifiedError as exc:
            raise ConcurrentUpdateError(payment.order_id) from exc
        return _with_etag(payment, metadata.get("etag"))


def _with_etag(payment: Payment, etag: Any) -> Payment:
    return replace(payment, etag=None if etag is None else str(etag))
