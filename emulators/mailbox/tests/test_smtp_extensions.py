"""ESMTP PIPELINING and CHUNKING: a client may write MAIL, RCPT and DATA (or BDAT and the message) at once,
and their replies come back as one write; plain addresses are read as aiosmtpd reads them."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, ClassVar

import pytest
from aiosmtpd.smtp import SMTP
from mailbox_emulator.inbox import Inbox
from mailbox_emulator.smtp import InboxHandler, MailboxSMTP

if TYPE_CHECKING:
    from conftest import RunningMailbox

GROUP = b"MAIL FROM:<orders@contoso-shop.example>\r\nRCPT TO:<ada@example.com>\r\nDATA\r\n"
BODY = b"From: orders@contoso-shop.example\r\nSubject: Pipelined\r\n\r\nHello\r\n.\r\n"


class WriteCountingSMTP(MailboxSMTP):
    """The mailbox's SMTP session, recording every write it makes on its socket."""

    writes: ClassVar[list[bytes]] = []

    def _cb_client_connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        super()._cb_client_connected(reader, writer)
        write = writer.write

        def counted(data: bytes | bytearray | memoryview) -> None:
            WriteCountingSMTP.writes.append(bytes(data))
            write(data)

        writer.write = counted  # type: ignore[method-assign]


@pytest.fixture
def inbox() -> Inbox:
    return Inbox(10)


@pytest.fixture
async def smtp_port(inbox: Inbox) -> AsyncIterator[int]:
    WriteCountingSMTP.writes.clear()
    handler = InboxHandler(inbox)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: WriteCountingSMTP(handler), "127.0.0.1", 0)
    yield int(server.sockets[0].getsockname()[1])
    server.close()
    await server.wait_closed()


async def reply(reader: asyncio.StreamReader) -> list[bytes]:
    """One reply's lines (a multi-line reply has '-' after the code on all lines but its last)."""
    lines = [await asyncio.wait_for(reader.readline(), 5)]
    while lines[-1][3:4] == b"-":
        lines.append(await asyncio.wait_for(reader.readline(), 5))
    return lines


async def test_a_group_of_commands_is_answered_in_one_write(smtp_port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", smtp_port)
    try:
        await reply(reader)
        writer.write(b"EHLO client.example\r\n")
        ehlo = await reply(reader)
        assert b"250-PIPELINING\r\n" in ehlo
        assert WriteCountingSMTP.writes[-1] == b"".join(ehlo)  # the multi-line reply: one write too

        writer.write(GROUP)
        answers = [await reply(reader) for _ in range(3)]
        assert [lines[-1][:3] for lines in answers] == [b"250", b"250", b"354"]
        assert WriteCountingSMTP.writes[-1] == b"".join(b"".join(lines) for lines in answers)

        writer.write(BODY)
        [accepted] = await reply(reader)
        assert accepted.startswith(b"250 Message accepted")
        # greeting, EHLO, the group's three replies, the message's: four writes in all
        assert len(WriteCountingSMTP.writes) == 4
    finally:
        writer.close()


async def test_an_error_within_a_group_is_answered_in_order(smtp_port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", smtp_port)
    try:
        await reply(reader)
        writer.write(b"EHLO client.example\r\n")
        await reply(reader)
        writer.write(b"MAIL FROM:<orders@contoso-shop.example>\r\nRCPT TO:\r\nDATA\r\nRSET\r\n")
        codes = [(await reply(reader))[-1][:3] for _ in range(4)]
        assert codes == [b"250", b"501", b"503", b"250"]
    finally:
        writer.close()


def test_the_running_mailbox_takes_a_pipelined_mail(mailbox: RunningMailbox) -> None:
    with socket.create_connection(("127.0.0.1", mailbox.smtp_port), timeout=10) as sock:
        stream = sock.makefile("rb")

        def codes(count: int) -> list[bytes]:
            found: list[bytes] = []
            while len(found) < count:
                line = stream.readline()
                if line[3:4] != b"-":
                    found.append(line[:3])
            return found

        assert codes(1) == [b"220"]
        sock.sendall(b"EHLO client.example\r\n")
        assert codes(1) == [b"250"]
        sock.sendall(GROUP)
        assert codes(3) == [b"250", b"250", b"354"]
        sock.sendall(BODY + b"QUIT\r\n")
        assert codes(2) == [b"250", b"221"]
    listed = mailbox.http.get("/api/messages", params={"to": "ada@example.com"}).json()["messages"]
    assert [m["subject"] for m in listed] == ["Pipelined"]


async def ehlo(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, list[bytes]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reply(reader)
    writer.write(b"EHLO client.example\r\n")
    return reader, writer, await reply(reader)


async def test_a_chunked_mail_is_one_write_each_way(smtp_port: int, inbox: Inbox) -> None:
    reader, writer, keywords = await ehlo(smtp_port)
    try:
        assert b"250-CHUNKING\r\n" in keywords
        message = b"Subject: Chunked\r\n\r\n.a line starting with a period\r\n"
        envelope = b"MAIL FROM:<orders@contoso-shop.example>\r\nRCPT TO:<ada@example.com>\r\n"
        writer.write(envelope + b"BDAT %d LAST\r\n" % len(message) + message)
        answers = [await reply(reader) for _ in range(3)]
        assert [lines[-1][:3] for lines in answers] == [b"250", b"250", b"250"]
        assert WriteCountingSMTP.writes[-1] == b"".join(b"".join(lines) for lines in answers)
        assert len(WriteCountingSMTP.writes) == 3  # greeting, EHLO, the mail
    finally:
        writer.close()
    [mail] = inbox.mails()
    assert (mail.envelope_from, mail.envelope_to, mail.raw) == (
        "orders@contoso-shop.example",
        ("ada@example.com",),
        message,  # as sent: a chunk has no dot-stuffing to undo
    )


async def test_chunks_are_joined_and_a_refused_chunk_is_read_past(smtp_port: int, inbox: Inbox) -> None:
    reader, writer, _ = await ehlo(smtp_port)
    try:
        writer.write(b"BDAT 4 LAST\r\nRCPT")  # no envelope yet: refused, its four bytes skipped
        assert (await reply(reader))[-1][:3] == b"503"
        writer.write(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nBDAT 9\r\nSubject: ")
        writer.write(b"BDAT 4\r\nlost")
        writer.write(b"RSET\r\n")  # the chunks so far are dropped with the envelope
        writer.write(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nBDAT 9\r\nSubject: ")
        writer.write(b"BDAT 8 LAST\r\nJoined\r\n")
        codes = [(await reply(reader))[-1][:3] for _ in range(9)]
        assert codes == [b"250"] * 9
        writer.write(b"BDAT x\r\n")
        assert (await reply(reader))[-1][:3] == b"501"
        assert await reader.read() == b""  # without a size the session cannot go on
    finally:
        writer.close()
    assert [mail.raw for mail in inbox.mails()] == [b"Subject: Joined\r\n"]


async def test_a_chunk_over_the_size_limit_ends_the_session_unread(inbox: Inbox) -> None:
    handler = InboxHandler(inbox)
    server = await asyncio.get_running_loop().create_server(
        lambda: MailboxSMTP(handler, data_size_limit=64), "127.0.0.1", 0
    )
    try:
        reader, writer, _ = await ehlo(int(server.sockets[0].getsockname()[1]))
        writer.write(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nBDAT 40\r\n" + b"x" * 40)
        writer.write(b"BDAT 9999999999 LAST\r\n")  # nearly 10 GB announced: refused before it is read
        codes = [(await reply(reader))[-1][:3] for _ in range(4)]
        assert codes == [b"250", b"250", b"250", b"552"]
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
    assert inbox.mails() == []


ADDRESS_ARGUMENTS = [
    "<ada@example.com>",
    "<ada@example.com> SIZE=1234",
    "<ada@example.com>SIZE=1",
    "<ada@example.com>\tBODY=8BITMIME SIZE=3 ",
    "<Ada.O'Neil+shop@mail.example.co.uk>",
    "<a..b@example.com>",
    "<.a@example.com>",
    '<"quoted local"@example.com>',
    "<ada@[192.0.2.1]>",
    "<@relay.example:ada@example.com>",
    "<ada@example.com> (comment) SIZE=1",
    "<ada@example.>",
    "<>",
    "ada@example.com",
    "<ada@example.com",
    "",
]


@pytest.mark.parametrize("argument", ADDRESS_ARGUMENTS)
async def test_addresses_are_read_as_aiosmtpd_reads_them(argument: str) -> None:
    handler = InboxHandler(Inbox(1))
    assert MailboxSMTP(handler)._getaddr(argument) == SMTP(handler)._getaddr(argument)
