"""The notification log / dedupe store on real Azurite."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from azure.core.exceptions import HttpResponseError
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


async def test_rows_of_one_event_are_written_together(notification_log: TableNotificationLog) -> None:
    email = sent("ord_t", "e1", Channel.EMAIL)
    text = replace(sent("ord_t", "e1", Channel.SMS), status="rejected", subject=None, reason="no such number")
    await notification_log.record_all([("e1:email", email), ("e1:sms", text)])

    # One entity, keyed by the first channel: its read stands for the event.
    assert await notification_log.was_sent("ord_t", "e1", Channel.EMAIL)
    assert await notification_log.for_order("ord_t") == [email, text]


async def test_rows_written_one_per_channel_are_still_read(notification_log: TableNotificationLog) -> None:
    # The layout before one entity per event: a row per channel, each keyed by its own channel.
    await notification_log.record(sent("ord_old", "e1", Channel.EMAIL), key="e1:email")
    await notification_log.record(sent("ord_old", "e1", Channel.SMS), key="e1:sms")

    entries = await notification_log.for_order("ord_old")

    assert [(e.event_id, e.channel) for e in entries] == [("e1", "email"), ("e1", "sms")]


async def test_an_event_with_a_refused_channel_leaves_no_row(notification_log: TableNotificationLog) -> None:
    # The SMS part is refused (Azurite, like the service, refuses a property over 64 KiB): the email's
    # row, the one the dedupe read asks for, must not exist without it.
    refused = replace(sent("ord_last", "e1", Channel.SMS), subject="x" * 40_000)

    with pytest.raises(HttpResponseError, match="PropertyValueTooLarge"):
        await notification_log.record_all(
            [("e1:email", sent("ord_last", "e1", Channel.EMAIL)), ("e1:sms", refused)]
        )

    assert not await notification_log.was_sent("ord_last", "e1", Channel.EMAIL)
    assert await notification_log.for_order("ord_last") == []


async def test_recording_an_event_again_keeps_the_first_rows(notification_log: TableNotificationLog) -> None:
    first = sent("ord_again", "e1", Channel.EMAIL)
    rows = [("e1:email", first), ("e1:sms", sent("ord_again", "e1", Channel.SMS))]
    await notification_log.record_all(rows)
    later = [(key, replace(entry, status="rejected", reason="late")) for key, entry in rows]

    await notification_log.record_all(later)  # another instance that read the same event
    await notification_log.record(replace(first, subject="late"), key="e1:email")

    entries = await notification_log.for_order("ord_again")
    assert [(e.status, e.subject, e.reason) for e in entries] == [("sent", "Hi", None)] * 2


async def test_rows_of_different_orders_are_refused_as_one_event(
    notification_log: TableNotificationLog,
) -> None:
    with pytest.raises(ValueError, match="partition key"):
        await notification_log.record_all(
            [
                ("e1:email", sent("ord_a", "e1", Channel.EMAIL)),
                ("e2:email", sent("ord_b", "e2", Channel.EMAIL)),
            ]
        )
    assert await notification_log.for_order("ord_a") == []
