"""The SMTP side: aiosmtpd's protocol on our event loop, every accepted message into the inbox."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from aiosmtpd.smtp import SMTP, Envelope, Session

from mailbox_emulator.inbox import Inbox
from mailbox_emulator.parse import parse_mail

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 10 * 1024 * 1024


class InboxHandler:
    """aiosmtpd handler: accepts any sender and recipient, as a local sink should."""

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        data = envelope.original_content or b""
        mail = parse_mail(str(envelope.mail_from or ""), list(envelope.rcpt_tos), data, datetime.now(UTC))
        await self._inbox.add_mail(mail)
        # Recipients and subject only: a mail body is customer data and stays out of logs.
        log.info("mail received", extra={"mail_id": mail.id, "recipients": len(mail.envelope_to)})
        return f"250 Message accepted for delivery as {mail.id}"


async def start_smtp(inbox: Inbox, host: str, port: int) -> asyncio.Server:
    handler = InboxHandler(inbox)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(handler, hostname="mailbox.local", data_size_limit=MAX_MESSAGE_BYTES),
        host=host,
        port=port,
        reuse_address=True,
    )
