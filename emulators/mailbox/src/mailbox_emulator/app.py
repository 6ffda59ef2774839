"""Composition: one inbox, an SMTP listener and an HTTP listener on the same event loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from emulator_common.admin_http import AdminServer

from mailbox_emulator.http_api import create_app
from mailbox_emulator.inbox import Inbox
from mailbox_emulator.smtp import start_smtp


@dataclass(frozen=True, slots=True)
class MailboxOptions:
    host: str = "127.0.0.1"
    smtp_port: int = 2525
    http_port: int = 8025
    capacity: int = 1000
    # Required on every HTTP route but /health and POST /api/sms when set (see http_api).
    admin_token: str | None = field(default=None, repr=False)


class Mailbox:
    def __init__(self, options: MailboxOptions) -> None:
        self.options = options
        self.inbox = Inbox(options.capacity)
        self._http = AdminServer(create_app(self.inbox, options.admin_token), options.host, options.http_port)
        self._smtp: asyncio.Server | None = None
        self.smtp_port: int | None = None
        self.http_port: int | None = None

    async def start(self) -> None:
        self._smtp = await start_smtp(self.inbox, self.options.host, self.options.smtp_port)
        self.smtp_port = int(self._smtp.sockets[0].getsockname()[1])
        self.http_port = await self._http.start()

    def listening(self) -> dict[str, object]:
        """The fields of the ``listening`` log line, once started."""
        return {"host": self.options.host, "smtp_port": self.smtp_port, "http_port": self.http_port}

    async def close(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            await self._smtp.wait_closed()
        await self._http.close()
