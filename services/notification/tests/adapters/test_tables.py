"""The notification log / dedupe store on real Azurite."""

from __future__ import annotations

from datetime import UTC, datetime

from notification_service.adapters.tables import TableNotificationLog
from notification_service.domain.models import Channel, LogEntry


def sent(order_id: str, event_id: str, channel: Channel) -> LogEntry:
    return LogEntry(
        order_id, event_id, channel.value, "sent", "ada@example.com", "Hi", "PAID", None, datetime.now(UTC)
    )


async def test_recorded_send_is_found_by_event_and_channel(notification_log: TableNotificationLog) -> None:
    await notification_log.record(sent("ord/1", "e1", Channel.EMAIL), key="e1:email")

    assert await notification_log.was_sent("ord/1", "e1", Channel.EMAIL)
    assert not await notification_log.was_sent("ord/1", "e1", Channel.SMS)
    assert not await notification_log.was_sent("ord/1", "e2", Channel.EMAIL)


async def test_for_order_lists_that_orders_notifications_oldest_first(
    notification_log: TableNotificationLog,
) -> None:
    await notification_log.record(sent("ord_a", "e1", Channel.EMAIL), key="e1:email")
    await notification_log.record(sent("ord_a", "e1", Channel.SMS), key="e1:sms")
    await notification_log.record(sent("ord_b", "e2", Channel.EMAIL), key="e2:email")

    entries = await notification_log.for_order("ord_a")

    assert [(e.event_id, e.channel) for e in entries] == [("e1", "email"), ("e1", "sms")]


async def test_poison_rows_are_kept_apart_from_orders(notification_log: TableNotificationLog) -> None:
    entry = LogEntry(None, None, "none", "poison", None, None, None, "InvalidJson: x", datetime.now(UTC))
    await notification_log.record(entry, key="0:17")

    [poison] = await notification_log.poison()
    assert poison.reason == "InvalidJson: x"


async def test_poison_rows_are_no_orders_log(notification_log: TableNotificationLog) -> None:
    # Found writing the OpenAPI document (a listed notification is `sent` or `rejected`): the order id
    # `_poison` read the poison rows.
    entry = LogEntry(None, None, "none", "poison", None, None, None, "InvalidJson: x", datetime.now(UTC))
    await notification_log.record(entry, key="0:17")

    assert await notification_log.for_order("_poison") == []
