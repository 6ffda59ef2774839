"""The notification log in Azure Table storage (azure-data-tables, aio); Azurite locally.

One entity per event: PartitionKey = the order id (characters Table keys forbid are percent-encoded),
RowKey = ``<event id>:<first channel>``, that channel's columns as they are and each further channel's
under its name (``SmsStatus``, ``SmsRecipient``, ...), the channels listed in ``Channels``. So an event's
log is one insert, atomic: the entity is the dedupe store (an event whose entity exists was handled) and
the service's log. Not a Table transaction of a row per channel, as before: its multipart request and
answer cost the service about seven times one insert, and Azurite a request more per text. Entities
written before, a row per channel (``<event id>:sms`` rows), are read as they are. Rows are only ever
created, never replaced: one that already exists (another instance handled the same event during a
rebalance) is left as it is. Poison events go under PartitionKey ``_poison``, keyed by their hub
position.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from servicekit.tables import TableStore, partition_key

from notification_service.domain.models import Channel, LogEntry

POISON_PARTITION = "_poison"
# The columns a channel has of its own; an event's other columns are the same for all its channels.
_CHANNEL_COLUMNS = ("Status", "Recipient", "Subject", "Reason", "At")


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
        """Creates the entity of one event: the first row (key, entry) keys it, the others' channels
        join it as columns of their own. All rows are of the same order."""
        if not rows:
            return
        (key, first), others = rows[0], rows[1:]
        if any(entry.order_id != first.order_id for _, entry in others):
            raise ValueError("the rows of one event share its order's partition key")
        entity = _entity(first, key)
        if others:
            entity["Channels"] = ",".join([first.channel, *(entry.channel for _, entry in others)])
            for _, entry in others:
                own = _entity(entry, key)
                prefix = entry.channel.capitalize()
                entity.update({prefix + column: own[column] for column in _CHANNEL_COLUMNS if column in own})
        # An entity that exists was recorded already, by another instance that read the same event.
        with contextlib.suppress(ResourceExistsError):
            await self._client.create_entity(entity)

    async def for_order(self, order_id: str) -> list[LogEntry]:
        # Poison rows share the table under their own partition key, which an order id can spell.
        entities = self._client.query_entities(
            "PartitionKey eq @pk and Status ne @poison",
            parameters={"pk": partition_key(order_id), "poison": "poison"},
        )
        return sorted([entry async for e in entities for entry in _entries(e)], key=lambda entry: entry.at)

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


def _entries(entity: dict[str, Any]) -> list[LogEntry]:
    """The log lines of one event's entity: its first channel's, then each further channel's."""
    first = _entry(entity)
    further = str(entity.get("Channels") or first.channel).split(",")[1:]
    return [first] + [
        _entry(
            {
                **entity,
                "Channel": channel,
                **{column: entity.get(channel.capitalize() + column) for column in _CHANNEL_COLUMNS},
            }
        )
        for channel in further
    ]


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
