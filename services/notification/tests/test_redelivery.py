"""The notification log is read only for the events after a claim that a reader before may have handled:
the real process, killed and restarted on the Event Hubs emulator, Azurite and the mailbox."""

from __future__ import annotations

import signal
import uuid
from typing import Any

import pytest
from shopctl.testing import LaunchedPlatform

from .conftest import Hub, emails_to, eventually, settles, status_changed, texts_to
from .test_service_process import NO_PERIODIC_CHECKPOINTS

pytestmark = pytest.mark.timeout(120)


async def test_after_a_restart_only_the_redelivered_prefix_is_read_and_nothing_is_sent_twice(
    start_service: Any, hub: Hub, platform: LaunchedPlatform
) -> None:
    # One order: its events share a partition, in order. Every other one also sends a text (two rows).
    order_id = f"ord_{uuid.uuid4().hex[:10]}"

    def event(number: int) -> dict[str, Any]:
        phone = f"+4477009{uuid.uuid4().int % 10**5:05d}" if number % 2 else None
        return status_changed("PAID", order_id=order_id, phone=phone)

    first, second = [event(n) for n in range(5)], [event(n) for n in range(3)]
    service = start_service(**NO_PERIODIC_CHECKPOINTS)
    await hub.send(*first)
    eventually(lambda: service.metric('notification_events_total{result="handled"}') == len(first))
    # The first event after the claim found no row: the four after it cannot have one either.
    assert service.metric("notification_log_reads_total") == 1
    service.process.send_signal(signal.SIGKILL)
    service.process.wait(timeout=10)

    restarted = start_service()  # no checkpoint was saved: it reads all of `first` again
    await hub.send(*second)

    addresses = [e["data"]["customer"]["email"] for e in first + second]
    phones = [e["data"]["customer"]["phone"] for e in first + second if "phone" in e["data"]["customer"]]
    settles(
        lambda: {
            "skipped events": restarted.metric('notification_duplicates_skipped_total{channel="email"}'),
            # Each of `first` is read and found; the first of `second` is read and missed; no more.
            "log reads": restarted.metric("notification_log_reads_total"),
            **{address: len(emails_to(platform, address)) for address in addresses},
            **{phone: len(texts_to(platform, phone)) for phone in phones},
        },
        {
            "skipped events": len(first),
            "log reads": len(first) + 1,
            **dict.fromkeys(addresses, 1),
            **dict.fromkeys(phones, 1),
        },
    )
