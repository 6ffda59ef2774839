"""The notification log in Azure Table storage (azure-data-tables, aio); Azurite locally.

One row per (event, channel): PartitionKey = the order id (characters Table keys forbid are
percent-encoded), RowKey = ``<event id>:<channel>``. The same rows are the dedupe store: an event whose
row exists was handled. An event's rows share its order's partition, so they are written together in one
transaction; rows are only ever created, never replaced: a row that already exists (another instance
handled the same event during a rebalance) is left as it is. Poison events go under PartitionKey
``_poison``, keyed by their hub position.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableErrorCode, TableTransactionError, TransactionOperation
from servicekit.tables import TableStore, partition_key

from notification_service.domain.models import Channel, LogEntry

POISON_PARTITION = "_poison"


def row_key(key: str) -> str:
    return quote(key, safe="-_.~:@")


class TableNotificationLog(TableStore):
    async def was_sent(self, order_id: str, event_id: str, channel: Channel) -> bool:
        try:
            await self._client.get_entity(partition_key(order_id), row_key(f"{event_id}:{channel.value}"))
        except ResourceNotFoundError:
            return False
        return True

    async def record(self, entry: LogEntry, *, key: str) -> None:
        await self.record_all([(key, entry)])

    async def record_all(self, rows: Sequence[tuple[str, LogEntry]]) -> None:
        """Creates the rows (key, entry) of one event, all under one partition key, in one request."""
        entities = [_entity(entry, key) for key, entry in rows]
        if len({entity["PartitionKey"] for entity in entities}) > 1:
            raise ValueError("the rows of one event share its order's partition key")
        try:
            if len(entities) == 1:
                await self._client.create_entity(entities[0])
            elif entities:
                await self._client.submit_transaction(
                    [(TransactionOperation.CREATE, entity) for entity in entities]
                )
        except ResourceExistsError:
            pass  # recorded already, by another instance that read the same event
        except TableTransactionError as error:
            if getattr(error, "error_code", None) != TableErrorCode.ENTITY_ALREADY_EXISTS:
                raise

    async def for_order(self, order_id: str) -> list[LogEntry]:
        # Poison rows share the table under their own partition key, which an order id can spell.
        entities = self._client.query_entities(
            "PartitionKey eq @pk and Status ne @poison",
            parameters={"pk": partition_key(order_id), "poison": "poison"},
        )
        return sorted([_entry(e) async for e in entities], key=lambda entry: entry.at)

    async def poison(self) -> list[LogEntry]:
        entities = self._client.query_entities("PartitionKey eq @pk", parameters={"pk": POISON_PARTITION})
        return sorted([_entry(e) async for e in entities], key=lambda entry: entry.at)


def _entity(entry: LogEntry, key: str) -> dict[str, Any]:
    poison = entry.status == "poison"
    entity: dict[str, Any] = {
        "PartitionKey": POISON_PARTITION if poison else partition_key(entry.order_id or "-"),
        "RowKey": row_key(key),
        "OrderId": entry.order_id,
        "EventId": entry.event_id,
        "Channel": entry.channel,
        "Status": entry.status,
        "Recipient": entry.recipient,
        "Subject": entry.subject,
        "OrderStatus": entry.order_status,
        "Reason": entry.reason,
        "At": entry.at.isoformat(),
    }
    return {k: v for k, v in entity.items() if v is not None}


def _entry(entity: dict[str, Any]) -> LogEntry:
    return LogEntry(
        order_id=entity.get("OrderId"),
        event_id=entity.get("EventId"),
        channel=str(entity["Channel"]),
        status=str(entity["Status"]),
        recipient=entity.get("Recipient"),
        subject=entity.get("Subject"),
        order_status=entity.get("OrderStatus"),
        reason=entity.get("Reason"),
        at=datetime.fromisoformat(str(entity["At"])),
    )
