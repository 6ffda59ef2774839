"""The real ``notification-service`` process against the Event Hubs emulator, Azurite and the mailbox."""

from __future__ import annotations

import json
import signal
import uuid
from typing import Any

import httpx
import pytest
from notification_service.adapters.tables import TableNotificationLog
from shopctl.testing import LaunchedPlatform

from .conftest import TRACEPARENT, Hub, emails_to, eventually, settles, status_changed, texts_to

# Checkpoints only on the way out (SIGTERM): none while running, so a SIGKILL leaves nothing saved.
NO_PERIODIC_CHECKPOINTS = {
    "NOTIFICATION_CHECKPOINT_EVERY_EVENTS": "1000",
    "NOTIFICATION_CHECKPOINT_EVERY_SECONDS": "600",
}

pytestmark = pytest.mark.timeout(120)


async def test_each_status_sends_its_email_and_sms_once(
    start_service: Any, hub: Hub, platform: LaunchedPlatform
) -> None:
    service = start_service()
    email, phone = f"grace-{uuid.uuid4().hex[:8]}@example.com", f"+4477009{uuid.uuid4().int % 10**5:05d}"
    events = [
        status_changed(status, order_id="ord_all_statuses", email=email, phone=phone, previousStatus=None)
        for status in ("PENDING_PAYMENT", "PAID", "FULFILLED")
    ]
    await hub.send(*events)

    settles(
        lambda: {"emails": len(emails_to(platform, email)), "texts": len(texts_to(platform, phone))},
        {"emails": 3, "texts": 2},  # PENDING_PAYMENT sends no text
    )

    subjects = sorted(mail["subject"] for mail in emails_to(platform, email))
    assert subjects == [
        "Payment received for order ord_all_statuses",
        "We received your order ord_all_statuses",
        "Your order ord_all_statuses is on its way",
    ]
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{service.url}/notifications", params={"orderId": "ord_all_statuses"})
    log = response.json()
    assert sorted((n["orderStatus"], n["channel"]) for n in log["notifications"]) == [
        ("FULFILLED", "email"),
        ("FULFILLED", "sms"),
        ("PAID", "email"),
        ("PAID", "sms"),
        ("PENDING_PAYMENT", "email"),
    ]
    line = next(entry for entry in _log(service) if entry.get("message") == "order event handled")
    assert line["trace_id"] == TRACEPARENT.split("-")[1]
    assert line["correlation_id"] == "ord_all_statuses"


async def test_poison_events_are_recorded_and_never_stop_the_consumer(
    start_service: Any, hub: Hub, platform: LaunchedPlatform, env: dict[str, str]
) -> None:
    service = start_service()
    broken = status_changed()
    broken["data"]["total"] = {"value": 59.97, "currency": "EUR"}
    await hub.send_raw(
        b"{not json", partition_key="ord_p", properties={"type": "OrderStatusChanged", "version": 1}
    )
    await hub.send(broken)
    await hub.send(status_changed(), type="OrderShipped")
    await hub.send(status_changed(), version=2)
    good = status_changed()
    await hub.send(good)

    settles(
        lambda: {
            "good": len(emails_to(platform, good["data"]["customer"]["email"])),
            "broken": len(emails_to(platform, broken["data"]["customer"]["email"])),
            "poison": service.metric("notification_poison_events_total"),
        },
        {"good": 1, "broken": 0, "poison": 4},
    )

    reasons = sorted(e["reason"] for e in _log(service) if e.get("message") == "poison event passed over")
    assert reasons == ["MalformedBody", "SchemaViolation", "UnknownMessageType", "UnknownMessageType"]
    table = TableNotificationLog.connect(
        env["NOTIFICATION_LOG_TABLE"],
        connection_string=env["NOTIFICATION_TABLES_CONNECTION_STRING"],
        endpoint=None,
    )
    try:
        recorded = await table.poison()
    finally:
        await table.close()
    assert sorted((entry.reason or "").split(":")[0] for entry in recorded) == reasons
    assert "/data/total/value: type" in " ".join(entry.reason or "" for entry in recorded)
    assert broken["id"] in {entry.event_id for entry in recorded}
    assert service.process.poll() is None


async def test_kill_and_restart_sends_nothing_twice_and_loses_nothing(
    start_service: Any, hub: Hub, platform: LaunchedPlatform
) -> None:
    # No checkpoint before the kill: the restarted process reads every event again.
    service = start_service(**NO_PERIODIC_CHECKPOINTS)
    first = [status_changed() for _ in range(6)]
    await hub.send(*first)
    for event in first:
        eventually(lambda e=event: len(emails_to(platform, e["data"]["customer"]["email"])) >= 1)
    service.process.send_signal(signal.SIGKILL)
    service.process.wait(timeout=10)

    restarted = start_service()
    second = [status_changed() for _ in range(4)]
    await hub.send(*second)

    addresses = [event["data"]["customer"]["email"] for event in first + second]
    settles(
        lambda: {
            "skipped": restarted.metric("notification_duplicates_skipped_total"),
            **{address: len(emails_to(platform, address)) for address in addresses},
        },
        {"skipped": len(first), **dict.fromkeys(addresses, 1)},
    )


async def test_restart_after_sigterm_resumes_from_the_checkpoint(
    start_service: Any, hub: Hub, platform: LaunchedPlatform
) -> None:
    service = start_service(**NO_PERIODIC_CHECKPOINTS)
    first = [status_changed() for _ in range(3)]
    await hub.send(*first)
    eventually(lambda: service.metric("notification_events_total") == len(first))
    service.process.send_signal(signal.SIGTERM)
    assert service.process.wait(timeout=20) == 0  # saves its checkpoints on the way out

    restarted = start_service()
    second = status_changed()
    await hub.send(second)

    settles(
        lambda: {
            "email": len(emails_to(platform, second["data"]["customer"]["email"])),
            "events": restarted.metric("notification_events_total"),
            "skipped": restarted.metric("notification_duplicates_skipped_total"),
        },
        {"email": 1, "events": 1, "skipped": 0},
    )


def _log(service: Any) -> list[dict[str, Any]]:
    entries = []
    for line in service.log_path.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries
