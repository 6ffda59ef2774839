"""Email over SMTP (aiosmtplib): the local mailbox, or any relay."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr

import aiosmtplib

from notification_service.domain.errors import SendFailedError
from notification_service.domain.models import Email


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
        self._host = host
        self._port = port
        self._sender = sender
        self._sender_name = sender_name
        self._start_tls = start_tls
        self._username = username
        self._password = password
        self._timeout = timeout

    async def send(self, email: Email) -> None:
        message = EmailMessage()
        message["From"] = formataddr((self._sender_name, self._sender))
        message["To"] = formataddr((email.to_name, email.to))
        message["Subject"] = email.subject
        # Stable per event and channel, so a repeat after a crash is recognisable as the same message.
        message["Message-ID"] = f"<{email.idempotency_key}@notifications.contoso-shop.example>"
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        try:
            await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                start_tls=self._start_tls,
                username=self._username,
                password=self._password,
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendFailedError(f"smtp {self._host}:{self._port}: {type(exc).__name__}") from exc
