"""The SMTP and mailbox-SMS senders against the real mailbox emulator."""

from __future__ import annotations

import asyncio
import contextlib
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


class Forwarder:
    """A TCP forwarder in front of the mailbox's SMTP port that can drop the connections through it, the
    way a server restart or an idle timeout drops a kept-open SMTP connection."""

    def __init__(self, target_port: int) -> None:
        self._target_port = target_port
        self._pairs: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self._quiet = False
        self.port = 0
        self.accepted = 0

    async def __aenter__(self) -> Forwarder:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        self.cut()
        self._server.close()
        await self._server.wait_closed()

    async def _forward(self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        self.accepted += 1
        server_reader, server = await asyncio.open_connection("127.0.0.1", self._target_port)
        self._pairs.append((client, server))

        async def to_server() -> None:
            with contextlib.suppress(ConnectionError):
                while data := await client_reader.read(65536):
                    if server.is_closing():
                        break  # the client learns now, on its next command, that the server is gone
                    server.write(data)
                    await server.drain()
            client.close()
            server.close()

        async def to_client() -> None:
            with contextlib.suppress(ConnectionError):
                while data := await server_reader.read(65536):
                    client.write(data)
                    await client.drain()
            if not self._quiet:
                client.close()

        await asyncio.gather(to_server(), to_client())

    def cut(self) -> None:
        """Closes both sides of every connection: the client sees the close at once."""
        for client, server in self._pairs:
            client.close()
            server.close()
        self._pairs.clear()

    def cut_quietly(self) -> None:
        """Closes the server side only: the client finds out when it next sends a command."""
        self._quiet = True
        for _, server in self._pairs:
            server.close()
        self._pairs.clear()


async def test_smtp_sender_keeps_one_connection_for_many_mails(platform: LaunchedPlatform) -> None:
    address = f"{uuid.uuid4().hex[:8]}@example.com"
    async with Forwarder(platform.port("mailbox", "smtp")) as forwarder:
        sender = SmtpEmailSender("127.0.0.1", forwarder.port, sender="a@b.example", sender_name="A")
        try:
            for number in range(3):
                await sender.send(Email(address, "Ada", f"mail {number}", "t", "<p>h</p>", f"k{number}"))
        finally:
            await sender.close()

    assert forwarder.accepted == 1
    assert sorted(mail["subject"] for mail in emails_to(platform, address)) == ["mail 0", "mail 1", "mail 2"]


@pytest.mark.parametrize("drop", ["cut", "cut_quietly"])
async def test_smtp_sender_reconnects_when_the_server_dropped_its_connection(
    platform: LaunchedPlatform, drop: str
) -> None:
    address = f"{uuid.uuid4().hex[:8]}@example.com"
    async with Forwarder(platform.port("mailbox", "smtp")) as forwarder:
        sender = SmtpEmailSender("127.0.0.1", forwarder.port, sender="a@b.example", sender_name="A")
        try:
            await sender.send(Email(address, "Ada", "before", "t", "<p>h</p>", "k1"))
            getattr(forwarder, drop)()
            await asyncio.sleep(0.1)  # whatever the close does reaches the client's socket
            await sender.send(Email(address, "Ada", "after", "t", "<p>h</p>", "k2"))
        finally:
            await sender.close()

    assert forwarder.accepted == 2
    assert sorted(mail["subject"] for mail in emails_to(platform, address)) == ["after", "before"]


async def test_smtp_sender_encodes_a_name_and_subject_beyond_ascii(platform: LaunchedPlatform) -> None:
    address = f"{uuid.uuid4().hex[:8]}@example.com"
    sender = SmtpEmailSender(
        "127.0.0.1", platform.port("mailbox", "smtp"), sender="a@b.example", sender_name="Boutique Contoso"
    )
    try:
        await sender.send(Email(address, "Zoë Ødegård", "Commande reçue", "Merci, Zoë", "<p>Zoë</p>", "k"))
    finally:
        await sender.close()

    [summary] = emails_to(platform, address)
    async with httpx.AsyncClient() as client:
        detail = (await client.get(f"{mailbox_url(platform)}/api/messages/{summary['id']}")).json()
    assert detail["subject"] == "Commande reçue"
    assert detail["toHeader"] == f"Zoë Ødegård <{address}>"
    assert detail["text"].strip() == "Merci, Zoë"
    assert detail["html"].strip() == "<p>Zoë</p>"
