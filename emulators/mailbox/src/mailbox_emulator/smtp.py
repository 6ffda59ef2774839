"""The SMTP side: aiosmtpd's protocol on our event loop, every accepted message into the inbox.

aiosmtpd with PIPELINING and CHUNKING (a mail in one round trip for a client that uses both) and plain
addresses read without the email package: most of what a mail costs this sink is per command and per
write."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime

from aiosmtpd.smtp import SMTP, Envelope, Session

from mailbox_emulator.addresses import plain_angle_address
from mailbox_emulator.inbox import Inbox
from mailbox_emulator.model import Mail
from mailbox_emulator.smtp_chunking import CHUNKING, ChunkingSMTP
from mailbox_emulator.smtp_pipelining import PIPELINING, PipeliningSMTP

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 10 * 1024 * 1024


class InboxHandler:
    """aiosmtpd handler: accepts any sender and recipient, as a local sink should."""

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    async def handle_EHLO(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        # A handler's EHLO hook takes over recording the client's name from aiosmtpd.
        session.host_name = hostname
        return [*responses[:-1], PIPELINING, CHUNKING, responses[-1]]

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        mail = Mail(
            id=uuid.uuid4().hex,
            received_at=datetime.now(UTC),
            envelope_from=str(envelope.mail_from or ""),
            envelope_to=tuple(envelope.rcpt_tos),
            raw=envelope.original_content or b"",
        )
        await self._inbox.add_mail(mail)
        # The id and the number of recipients only: a mail is customer data and stays out of logs. At
        # debug: a line per mail is a good part of what a mail costs, and the inbox lists them all anyway.
        log.debug("mail received", extra={"mail_id": mail.id, "recipients": len(mail.envelope_to)})
        return f"250 Message accepted for delivery as {mail.id}"


class MailboxSMTP(ChunkingSMTP, PipeliningSMTP):
    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        plain = plain_angle_address(arg)
        if plain is None or (
            self.local_part_limit and len(plain[0].rpartition("@")[0]) > self.local_part_limit
        ):
            return super()._getaddr(arg)
        return plain


async def start_smtp(inbox: Inbox, host: str, port: int) -> asyncio.Server:
    # aiosmtpd logs every command line it reads at INFO, recipients' addresses included: customer data,
    # and a good part of the CPU a mail costs. Its warnings and errors still come through.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = InboxHandler(inbox)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: MailboxSMTP(handler, hostname="mailbox.local", data_size_limit=MAX_MESSAGE_BYTES),
        host=host,
        port=port,
        reuse_address=True,
    )
