"""The SMTP client: two round trips per mail where the server offers PIPELINING (the real mailbox), one
command at a time where it does not, STARTTLS and AUTH, and refusals. The relays other than the mailbox
are aiosmtpd servers in this process (a real SMTP server; the mailbox runs on it too) configured the way
the case needs."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from notification_service.adapters.smtp import SmtpEmailSender
from notification_service.adapters.smtp_client import SmtpConnection, SmtpError
from notification_service.domain.errors import SendFailedError, SendRejectedError
from notification_service.domain.models import Email
from shopctl.testing import LaunchedPlatform

from ..conftest import emails_to
from .test_acs import _self_signed


class ChunkCounter:
    """A TCP forwarder in front of a server that counts the chunks the client wrote: a client that
    waits for a reply before each write makes one chunk per write."""

    def __init__(self, target_port: int) -> None:
        self._target_port = target_port
        self.chunks = 0
        self.port = 0
        self._connections: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> ChunkCounter:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        # Every connection through it has ended (the client quit or closed) before the counts are read.
        await asyncio.wait_for(asyncio.gather(*self._connections), 5)
        self._server.close()
        await self._server.wait_closed()

    async def _forward(self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.append(task)
        server_reader, server = await asyncio.open_connection("127.0.0.1", self._target_port)

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, count: bool) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await reader.read(65536):
                    self.chunks += count
                    writer.write(data)
                    await writer.drain()
            writer.close()

        await asyncio.gather(pump(client_reader, server, True), pump(server_reader, client, False))


class Relay:
    """What an aiosmtpd relay in this process received, and what it refuses."""

    def __init__(self, refuse_recipient: str | None = None, *, pipelining: bool = False) -> None:
        self.refuse_recipient = refuse_recipient
        self.pipelining = pipelining
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_EHLO(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        # aiosmtpd reads commands a line at a time, so it takes a pipelined group as it is
        return [*responses[:-1], "250-PIPELINING", responses[-1]] if self.pipelining else responses

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address == self.refuse_recipient:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.messages.append(
            (str(envelope.mail_from), list(envelope.rcpt_tos), envelope.original_content or b"")
        )
        return "250 OK"


@contextlib.asynccontextmanager
async def relay_server(relay: Relay, **options: Any) -> AsyncIterator[int]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(relay, hostname="relay.test", **options), "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()


def an_email(to: str, subject: str = "Hello") -> Email:
    return Email(to, "Ada", subject, ".a line with a leading period\nplain", "<p>html</p>", uuid.uuid4().hex)


async def test_a_mail_is_one_write_where_the_server_offers_pipelining_and_chunking(
    platform: LaunchedPlatform,
) -> None:
    address = f"{uuid.uuid4().hex[:8]}@example.com"
    async with ChunkCounter(platform.port("mailbox", "smtp")) as counter:
        sender = SmtpEmailSender("127.0.0.1", counter.port, sender="a@b.example", sender_name="A")
        try:
            for number in range(3):
                await sender.send(an_email(address, f"mail {number}"))
        finally:
            await sender.close()

    assert sorted(mail["subject"] for mail in emails_to(platform, address)) == ["mail 0", "mail 1", "mail 2"]
    # EHLO, then per mail MAIL+RCPT+BDAT with the message, then QUIT (one command at a time would be 14)
    assert counter.chunks == 1 + 3 + 1


async def test_a_mail_is_two_writes_where_the_server_offers_pipelining_only() -> None:
    relay = Relay(pipelining=True)
    async with relay_server(relay) as port, ChunkCounter(port) as counter:
        connection = await SmtpConnection.open("127.0.0.1", counter.port, local_hostname="client.test")
        assert (connection.pipelining, connection.chunking) == (True, False)
        for number in range(3):
            await connection.send(
                "orders@contoso-shop.example", f"c{number}@example.com", b"Subject: s\r\n\r\n."
            )
        await connection.quit()

    assert [(recipients, content) for _, recipients, content in relay.messages] == [
        ([f"c{number}@example.com"], b"Subject: s\r\n\r\n.\r\n") for number in range(3)
    ]  # the line ending added, the leading period doubled on the wire and undone by the server
    assert counter.chunks == 1 + 2 * 3 + 1


async def test_a_server_without_pipelining_gets_one_command_at_a_time() -> None:
    relay = Relay()
    async with relay_server(relay) as port, ChunkCounter(port) as counter:
        connection = await SmtpConnection.open("127.0.0.1", counter.port, local_hostname="client.test")
        assert not connection.pipelining
        await connection.send("orders@contoso-shop.example", "ada@example.com", b"Subject: s\r\n\r\n.dot\r\n")
        await connection.quit()

    assert relay.messages == [
        ("orders@contoso-shop.example", ["ada@example.com"], b"Subject: s\r\n\r\n.dot\r\n")
    ]  # the leading period was doubled on the wire and undone by the server
    assert counter.chunks == 1 + 4 + 1


@pytest.mark.parametrize("pipelining", [True, False])
async def test_a_refused_recipient_fails_the_send_and_the_next_mail_goes_on_a_new_connection(
    pipelining: bool,
) -> None:
    relay = Relay(refuse_recipient="gone@example.com", pipelining=pipelining)
    async with relay_server(relay) as port:
        sender = SmtpEmailSender("127.0.0.1", port, sender="a@b.example", sender_name="A")
        try:
            with pytest.raises(SendFailedError) as failed:
                await sender.send(an_email("gone@example.com"))
            assert isinstance(failed.value.__cause__, SmtpError)
            assert (failed.value.__cause__.step, failed.value.__cause__.code) == ("RCPT", 550)
            await sender.send(an_email("ada@example.com"))
        finally:
            await sender.close()

    assert [recipients for _, recipients, _ in relay.messages] == [["ada@example.com"]]
    assert sender.connections_opened == 2


@pytest.mark.parametrize("address", ["ada@example.com>\r\nRSET", "a b@example.com", "zoë@example.com", ""])
async def test_an_address_smtp_cannot_carry_is_rejected_before_anything_is_written(address: str) -> None:
    relay = Relay()
    async with relay_server(relay) as port, ChunkCounter(port) as counter:
        sender = SmtpEmailSender("127.0.0.1", counter.port, sender="a@b.example", sender_name="A")
        with pytest.raises(SendRejectedError):
            await sender.send(an_email(address))
        await sender.close()

    assert counter.chunks == 0
    assert relay.messages == []


async def test_starttls_and_auth_before_the_first_mail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the relay's certificate

    def authenticator(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: object
    ) -> AuthResult:
        valid = isinstance(data, LoginPassword) and (data.login, data.password) == (b"shop", b"s3cret")
        return AuthResult(success=valid, handled=False)  # handled=False: the server answers 535

    relay = Relay()
    options: dict[str, Any] = {
        "tls_context": server_context,
        "require_starttls": True,
        "authenticator": authenticator,
        "auth_require_tls": True,
    }
    async with relay_server(relay, **options) as port:

        def over_tls(password: str) -> SmtpEmailSender:
            return SmtpEmailSender(
                "127.0.0.1",
                port,
                sender="a@b.example",
                sender_name="A",
                start_tls=True,
                username="shop",
                password=password,
            )

        sender = over_tls("s3cret")  # pragma: allowlist secret
        try:
            await sender.send(an_email("ada@example.com"))
        finally:
            await sender.close()
        wrong = over_tls("wrong")  # pragma: allowlist secret
        with pytest.raises(SendFailedError) as refused:
            await wrong.send(an_email("bob@example.com"))
        assert isinstance(refused.value.__cause__, SmtpError)
        assert refused.value.__cause__.step == "AUTH"
        plain = SmtpEmailSender("127.0.0.1", port, sender="a@b.example", sender_name="A")
        with pytest.raises(SendFailedError):
            await plain.send(an_email("eve@example.com"))

    assert [recipients for _, recipients, _ in relay.messages] == [["ada@example.com"]]


async def test_a_malformed_reply_is_an_error() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello there\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        with pytest.raises(SmtpError, match="malformed"):
            await SmtpConnection.open("127.0.0.1", server.sockets[0].getsockname()[1], local_hostname="c")
    finally:
        server.close()
        await server.wait_closed()
