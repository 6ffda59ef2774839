"""Email over SMTP (``smtp_client``): the local mailbox, or any relay.

One connection is opened on the first send and kept for the next ones (connect, EHLO, STARTTLS and AUTH
once, not per mail); sends take turns on it, each in one round trip where the server offers PIPELINING
and CHUNKING (``smtp_client``).
A connection the server dropped while idle is noticed by the next send, which reconnects and sends once
more; any other failure closes the connection, so the next send starts from a clean one. An address SMTP
cannot carry is refused for good (``SendRejectedError``), before anything is written.
"""

from __future__ import annotations

import asyncio
import re
from email.charset import QP, Charset
from email.header import Header
from email.policy import Compat32
from email.quoprimime import body_encode
from email.utils import formataddr

from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from notification_service.adapters.smtp_client import (
    SmtpConnection,
    SmtpDisconnectedError,
    SmtpError,
    UnsafeAddressError,
    safe_address,
)
from notification_service.domain.errors import SendFailedError, SendRejectedError
from notification_service.domain.models import Email

# Quoted-printable bodies and headers: readable in the raw message, safe for any text.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP
_UTF8.header_encoding = QP
_tracer = trace.get_tracer(__name__)
# QP-encoded bodies never hold "=_" ("=" starts a hex escape or a soft line break), so a boundary with it
# cannot occur in a part: the generator's random boundary and the regex it compiles to look for it in the
# text (a fresh one per message) are spared.
_BOUNDARY = "=_contoso-shop-alternative_="
# A header value of printable ASCII words with single spaces between them.
_PLAIN_VALUE = re.compile(r"[!-~]+(?: [!-~]+)*\Z")


class PlainHeadersAsIs(Compat32):
    """compat32 that writes a short plain-ASCII header as it is.

    compat32 folds every header through an ``email.header.Header`` (split, measure, rejoin): the most
    expensive part of writing a message, though ours are nearly all short and ASCII, which folding leaves
    as they are. Anything else (long, non-ASCII, already encoded or folded) still goes through it.
    """

    def fold_binary(self, name: str, value: str) -> bytes:
        limit = self.max_line_length
        if (
            isinstance(value, str)
            and (limit is None or len(name) + 2 + len(value) <= limit)
            and _PLAIN_VALUE.match(value)
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


# CRLF line endings, as SMTP carries them: nothing to convert on the way out.
_POLICY = PlainHeadersAsIs(linesep="\r\n")
# What the client says in EHLO; resolving the machine's own name would cost a thread hop per connection.
LOCAL_HOSTNAME = "notifications.contoso-shop.example"
_CRLF = "\r\n"
_MULTIPART_HEAD = (
    f'Content-Type: multipart/alternative; boundary="{_BOUNDARY}"\r\nMIME-Version: 1.0\r\n'
).encode("ascii")
# The header block's empty line is the first delimiter's leading CRLF, as the generator writes it.
_DELIMITER = f"\r\n--{_BOUNDARY}\r\n".encode("ascii")
_CLOSE_DELIMITER = f"\r\n--{_BOUNDARY}--\r\n".encode("ascii")


def mime_bytes(email: Email, sender: str, sender_name: str) -> bytes:
    """``email`` as a multipart/alternative (text, then HTML) message: the bytes the email package's
    compat32 ``MIMEMultipart`` / ``MIMENonMultipart`` pair writes with ``_POLICY``, put together here.

    The message's shape never changes (one fixed boundary, two quoted-printable UTF-8 parts), so only
    the four headers of our own and the two bodies vary; building the ``Message`` tree and walking it
    with the generator cost several times these few joins (``tests/adapters/test_mime.py`` holds the
    email package's construction and compares the bytes).
    """
    subject = email.subject if email.subject.isascii() else Header(email.subject, _UTF8).encode()
    # Stable per event and channel, so a repeat after a crash is recognisable as the same message.
    message_id = f"<{email.idempotency_key}@notifications.contoso-shop.example>"
    return b"".join(
        (
            _MULTIPART_HEAD,
            _POLICY.fold_binary("From", formataddr((sender_name, sender), charset="utf-8")),
            _POLICY.fold_binary("To", formataddr((email.to_name, email.to), charset="utf-8")),
            _POLICY.fold_binary("Subject", subject),
            _POLICY.fold_binary("Message-ID", message_id),
            _DELIMITER,
            _part_bytes("plain", email.text),
            _DELIMITER,
            _part_bytes("html", email.html),
            _CLOSE_DELIMITER,
        )
    )


def _part_bytes(subtype: str, body: str) -> bytes:
    """One text part: its headers, then ``body`` as quoted-printable UTF-8 with CRLF line endings."""
    # As ``Charset.body_encode`` does: the UTF-8 bytes, one code point each, quoted-printable; any line
    # ending in the body (CRLF, CR, LF) ends up as ``eol``, as the generator's line splitting writes it.
    encoded = body_encode(body.encode("utf-8", "surrogateescape").decode("latin-1"), eol=_CRLF)
    return (
        f'MIME-Version: 1.0\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: quoted-printable\r\n\r\n{encoded}"
    ).encode("ascii")


class SmtpEmailSender:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        sender_name: str,
        start_tls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        safe_address(sender)  # a sender SMTP cannot carry is a configuration error: it stops the start
        self._host = host
        self._port = port
        self._sender = sender
        self._sender_name = sender_name
        self._start_tls = start_tls
        self._username = username
        self._password = password
        self._timeout = timeout
        self._where = f"{host}:{port}"
        self._span_attributes: dict[str, str | int] = {
            "server.address": host,
            "server.port": port,
            "network.protocol.name": "smtp",
        }
        self._connection: SmtpConnection | None = None
        self._turn = asyncio.Lock()
        self.connections_opened = 0
        """How many times a connection was opened (the first one included)."""

    async def send(self, email: Email) -> None:
        try:
            safe_address(email.to)
        except UnsafeAddressError as exc:
            raise SendRejectedError(f"smtp {self._where}: {exc}") from exc
        data = mime_bytes(email, self._sender, self._sender_name)
        # No OpenTelemetry instrumentation knows SMTP: the send is a CLIENT span of its own, so a trace
        # shows the email under the event that caused it (the wait for a turn on the connection included).
        with _tracer.start_as_current_span(
            "smtp send", kind=SpanKind.CLIENT, attributes=self._span_attributes
        ) as span:
            async with self._turn:
                try:
                    # One deadline for the whole mail (connecting included), not one per reply.
                    async with asyncio.timeout(self._timeout):
                        await self._send_on_open_connection(email.to, data)
                except (SmtpError, OSError) as exc:
                    self._drop()
                    span.set_status(StatusCode.ERROR, type(exc).__name__)
                    raise SendFailedError(f"smtp {self._where}: {type(exc).__name__}") from exc

    async def _send_on_open_connection(self, to: str, data: bytes) -> None:
        if self._connection is not None and self._connection.is_open:
            try:
                await self._connection.send(self._sender, to, data)
                return
            except (SmtpDisconnectedError, ConnectionError):
                # Usually dropped while idle (a server timeout, a restart); if it dropped while this mail
                # was on the wire, the one resend carries the same Message-ID.
                self._drop()
        self._drop()
        self._connection = await SmtpConnection.open(
            self._host,
            self._port,
            local_hostname=LOCAL_HOSTNAME,
            start_tls=self._start_tls,
            username=self._username,
            password=self._password,
        )
        self.connections_opened += 1
        await self._connection.send(self._sender, to, data)

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        async with self._turn:
            connection, self._connection = self._connection, None
            if connection is not None and connection.is_open:
                try:
                    async with asyncio.timeout(self._timeout):
                        await connection.quit()
                except (SmtpError, OSError):
                    connection.close()
