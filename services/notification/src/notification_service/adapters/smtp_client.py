"""One SMTP client connection (RFC 5321) that sends a mail in as few round trips as the server allows.

A mail is MAIL, RCPT, DATA and the message. Sent one command at a time, as a general-purpose client does,
that is four writes and four waits for a reply, and on loopback each write costs a system call that also
does the receiving side's work: most of what an email costs this process. With ESMTP PIPELINING (RFC 2920)
MAIL, RCPT and DATA go out in one write and their replies are read together, the message following the
354: two round trips. With CHUNKING (RFC 3030) as well the message goes as one ``BDAT <size> LAST``
chunk, which needs no go-ahead: MAIL, RCPT, BDAT and the message are one write, answered by one read.
Both are offered by the common relays (Postfix, Exchange Online, Gmail) and by the local mailbox; a
server without them gets what it offers, down to one command at a time.

Opening a connection: greeting, EHLO, then STARTTLS and EHLO again when asked for, then AUTH (PLAIN, or
LOGIN when only that is offered) when a user name is given. Every failure raises ``SmtpError`` (a reply
other than the expected one) or ``OSError`` (the socket: a refused connection, a timeout, a reset); the
caller then closes the connection, so the next mail starts on a clean one.
"""

from __future__ import annotations

import asyncio
import base64
import re
import ssl

_CRLF = b"\r\n"
# A line of the message starting with "." gets another one, or the server would read it as the end.
_LEADING_PERIOD = re.compile(rb"(?m)^\.")
# What may stand between the angle brackets of MAIL FROM / RCPT TO: no spaces, controls or brackets,
# which could end the command early or add one (command injection).
_SAFE_ADDRESS = re.compile(r"[!-;=?-~]+\Z")


class SmtpError(Exception):
    """The server answered something other than what the step needs."""

    def __init__(self, step: str, code: int, text: str) -> None:
        super().__init__(f"{step}: {code} {text}")
        self.step = step
        self.code = code


class SmtpDisconnectedError(SmtpError):
    """The server closed the connection (found at the next read)."""

    def __init__(self, step: str) -> None:
        super().__init__(step, 0, "connection closed")


class UnsafeAddressError(ValueError):
    """An address SMTP cannot carry as it is (spaces, controls, angle brackets, beyond ASCII)."""


def safe_address(address: str) -> bytes:
    if not _SAFE_ADDRESS.match(address):
        raise UnsafeAddressError("address not sendable over SMTP")
    return address.encode("ascii")


class SmtpConnection:
    """An open, greeted (and, when asked, encrypted and authenticated) connection: ``open``, then ``send``
    as often as needed, one at a time; ``quit`` or ``close`` at the end."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self.extensions: dict[str, str] = {}
        """EHLO keywords (upper case) and their parameters."""

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        *,
        local_hostname: str,
        start_tls: bool = False,
        username: str | None = None,
        password: str | None = None,
    ) -> SmtpConnection:
        reader, writer = await asyncio.open_connection(host, port)
        connection = cls(reader, writer)
        try:
            await connection._expect("greeting", 220)
            await connection._ehlo(local_hostname)
            if start_tls:
                if "STARTTLS" not in connection.extensions:
                    raise SmtpError("STARTTLS", 0, "not offered by the server")
                await connection._command(b"STARTTLS", 220)
                await writer.start_tls(ssl.create_default_context(), server_hostname=host)
                await connection._ehlo(local_hostname)
            if username is not None:
                await connection._authenticate(username, password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    @property
    def is_open(self) -> bool:
        return not (self._writer.is_closing() or self._reader.at_eof())

    @property
    def pipelining(self) -> bool:
        return "PIPELINING" in self.extensions

    @property
    def chunking(self) -> bool:
        return "CHUNKING" in self.extensions

    async def send(self, sender: str, recipient: str, message: bytes) -> str:
        """Sends ``message`` (CRLF line endings) from ``sender`` to ``recipient``; the server's answer to
        the message. Raises ``UnsafeAddressError`` before writing anything for an address SMTP cannot
        carry."""
        mail = b"MAIL FROM:<" + safe_address(sender) + b">"
        rcpt = b"RCPT TO:<" + safe_address(recipient) + b">"
        if not message.endswith(_CRLF):
            message += _CRLF
        if self.chunking:
            # One chunk, sized: no go-ahead to wait for, no end marker, nothing to escape.
            content = message
            opening, step, expected = b"BDAT %d LAST\r\n" % len(content) + content, "BDAT", 250
        else:
            content = _LEADING_PERIOD.sub(b"..", message)
            opening, step, expected = b"DATA\r\n", "DATA", 354
        if "SIZE" in self.extensions:
            mail += b" SIZE=%d" % len(content)
        if self.pipelining:
            self._writer.write(mail + _CRLF + rcpt + _CRLF + opening)
            # All three replies are read before judging any: the group's replies are in the stream either
            # way, and the connection is closed on any failure.
            replies = [await self._reply("MAIL"), await self._reply("RCPT"), await self._reply(step)]
            for name, wanted, (code, text) in zip(
                ("MAIL", "RCPT", step), (250, 250, expected), replies, strict=True
            ):
                if code != wanted and not (name == "RCPT" and code == 251):
                    raise SmtpError(name, code, text)
        else:
            await self._command(mail, 250)
            code, text = await self._reply_to(rcpt)
            if code not in (250, 251):
                raise SmtpError("RCPT", code, text)
            self._writer.write(opening)
            code, text = await self._reply(step)
            if code != expected:
                raise SmtpError(step, code, text)
        if self.chunking:
            return text
        self._writer.write(content + b".\r\n")
        code, text = await self._reply("message")
        if code != 250:
            raise SmtpError("message", code, text)
        return text

    async def quit(self) -> None:
        try:
            await self._command(b"QUIT", 221)
        finally:
            self.close()

    def close(self) -> None:
        self._writer.close()

    async def _ehlo(self, local_hostname: str) -> None:
        code, text = await self._reply_to(b"EHLO " + local_hostname.encode("ascii"))
        if code != 250:
            raise SmtpError("EHLO", code, text)
        self.extensions = {}
        for line in text.splitlines()[1:]:  # the first line is the server's name
            keyword, _, parameters = line.partition(" ")
            self.extensions[keyword.upper()] = parameters

    async def _authenticate(self, username: str, password: str) -> None:
        methods = self.extensions.get("AUTH", "").upper().split()
        if "PLAIN" in methods:
            token = base64.b64encode(f"\0{username}\0{password}".encode())
            await self._command(b"AUTH PLAIN " + token, 235)
        elif "LOGIN" in methods:
            await self._command(b"AUTH LOGIN", 334)
            await self._command(base64.b64encode(username.encode()), 334)
            await self._command(base64.b64encode(password.encode()), 235)
        else:
            raise SmtpError("AUTH", 0, "neither PLAIN nor LOGIN offered by the server")

    async def _command(self, line: bytes, expected: int) -> None:
        code, text = await self._reply_to(line)
        if code != expected:
            raise SmtpError(line.split(b" ", 1)[0].decode("ascii", "replace"), code, text)

    async def _reply_to(self, line: bytes) -> tuple[int, str]:
        self._writer.write(line + _CRLF)
        return await self._reply(line.split(b" ", 1)[0].decode("ascii", "replace"))

    async def _expect(self, step: str, expected: int) -> None:
        code, text = await self._reply(step)
        if code != expected:
            raise SmtpError(step, code, text)

    async def _reply(self, step: str) -> tuple[int, str]:
        """The next reply: its code and its text (the lines of a multi-line reply joined by newlines)."""
        lines: list[str] = []
        while True:
            line = await self._reader.readline()
            if not line.endswith(b"\n"):
                raise SmtpDisconnectedError(step)
            if len(line) < 4 or not line[:3].isdigit() or line[3:4] not in b" -\r\n":
                raise SmtpError(step, 0, f"malformed reply {line[:80]!r}")
            lines.append(line[4:].rstrip(b"\r\n").decode("utf-8", "replace"))
            if line[3:4] != b"-":
                return int(line[:3]), "\n".join(lines)
