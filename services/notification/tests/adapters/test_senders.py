"""The SMTP and mailbox-SMS senders against the real mailbox emulator."""

from __future__ import annotations

import uuid

import httpx
import pytest
from notification_service.adapters.mailbox_sms import MailboxSmsSender
from notification_service.adapters.smtp import SmtpEmailSender
from notification_service.domain.errors import SendFailedError, SendRejectedError
from notification_service.domain.models import Email, Sms
from shopctl.testing import LaunchedPlatform

from ..conftest import emails_to, free_port, mailbox_url, texts_to


async def test_smtp_sender_delivers_text_and_html_with_stable_message_id(platform: LaunchedPlatform) -> None:
    address = f"{uuid.uuid4().hex[:8]}@example.com"
    sender = SmtpEmailSender(
        "127.0.0.1",
        platform.port("mailbox", "smtp"),
        sender="orders@contoso-shop.example",
        sender_name="Contoso",
    )

    await sender.send(Email(address, "Ada", "Hello", "plain body", "<p>html body</p>", "key-1"))

    [summary] = emails_to(platform, address)
    assert summary["subject"] == "Hello"
    async with httpx.AsyncClient() as client:
        raw = (await client.get(f"{mailbox_url(platform)}/api/messages/{summary['id']}/raw")).text
    assert "Message-ID: <key-1@notifications.contoso-shop.example>" in raw
    assert summary["hasText"]
    assert summary["hasHtml"]


async def test_smtp_sender_reports_an_unreachable_server_as_send_failed() -> None:
    sender = SmtpEmailSender("127.0.0.1", free_port(), sender="a@b.example", sender_name="A", timeout=2)
    with pytest.raises(SendFailedError):
        await sender.send(Email("x@example.com", "X", "s", "t", "<p>h</p>", "k"))


async def test_mailbox_sms_sender_records_the_text(platform: LaunchedPlatform) -> None:
    sender = MailboxSmsSender(mailbox_url(platform), "ContosoShop")
    try:
        await sender.send(Sms("+447700900199", "order shipped", "k"))
    finally:
        await sender.close()
    assert any(text["body"] == "order shipped" for text in texts_to(platform, "+447700900199"))


async def test_mailbox_sms_sender_treats_a_refused_text_as_rejected(platform: LaunchedPlatform) -> None:
    sender = MailboxSmsSender(mailbox_url(platform), "ContosoShop")
    try:
        with pytest.raises(SendRejectedError):
            await sender.send(Sms("not-a-number", "x", "k"))
    finally:
        await sender.close()
