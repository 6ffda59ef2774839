"""The notifier with real senders and log: retries a refused send with backoff, records only what went
out, and skips what its log says was sent."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from notification_service.adapters.mailbox_sms import MailboxSmsSender
from notification_service.adapters.smtp import SmtpEmailSender
from notification_service.adapters.tables import TableNotificationLog
from notification_service.domain.models import Channel, OrderStatus
from notification_service.domain.notifier import Notifier
from notification_service.rendering import TemplateRenderer
from shopctl.testing import LaunchedPlatform

from ..conftest import emails_to, free_port, mailbox_url
from ..test_rendering import change


class GiveUpError(Exception):
    pass


@pytest.fixture
async def sms(platform: LaunchedPlatform) -> AsyncIterator[MailboxSmsSender]:
    sender = MailboxSmsSender(mailbox_url(platform), "ContosoShop")
    yield sender
    await sender.close()


async def test_refused_send_is_retried_with_growing_backoff_and_never_logged_as_sent(
    notification_log: TableNotificationLog, sms: MailboxSmsSender
) -> None:
    delays: list[float] = []

    async def record_sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 4:
            raise GiveUpError

    unreachable = SmtpEmailSender("127.0.0.1", free_port(), sender="a@b.example", sender_name="A", timeout=2)
    notifier = Notifier(
        TemplateRenderer("Contoso Shop", "https://shop.example/"),
        unreachable,
        sms,
        notification_log,
        retry_base_seconds=0.1,
        retry_max_seconds=0.3,
        sleep=record_sleep,
    )

    with pytest.raises(GiveUpError):
        await notifier.handle(change(OrderStatus.PAID))

    assert delays == [0.1, 0.2, 0.3, 0.3]
    assert await notification_log.for_order("ord_7f3a9c") == []


async def test_second_handling_of_an_event_sends_nothing(
    platform: LaunchedPlatform, notification_log: TableNotificationLog, sms: MailboxSmsSender
) -> None:
    smtp = SmtpEmailSender(
        "127.0.0.1", platform.port("mailbox", "smtp"), sender="a@b.example", sender_name="A"
    )
    notifier = Notifier(
        TemplateRenderer("Contoso Shop", "https://shop.example/"), smtp, sms, notification_log
    )
    event = change(OrderStatus.FULFILLED)
    address = f"{uuid.uuid4().hex[:8]}@example.com"
    event = type(event)(
        **{**event.__dict__, "customer": type(event.customer)(address, "Ada", "+447700900155")}
    )

    first = await notifier.handle(event)
    again = await notifier.handle(event)

    assert first.sent == [Channel.EMAIL, Channel.SMS]
    assert again.sent == []
    assert again.skipped == [Channel.EMAIL, Channel.SMS]
    assert len(emails_to(platform, address)) == 1
