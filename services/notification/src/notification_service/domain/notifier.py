"""Sends the email and SMS of an order status change, each at most once per event and channel.

The log is consulted before an event's sends (when the caller says the event may have been handled
before) and written after them: a redelivered event (Event Hubs is at-least-once; everything after the
last checkpoint is read again after a restart) finds its rows and sends nothing. The rows of an event (one
per channel) are written together, in one request, so the row of its first channel stands for all of
them and one read tells whether the event was handled. The one window left is a crash between a
transport accepting the event's first message and the rows being written; then the event's messages go
out again on restart, carrying the same idempotency keys (SMTP Message-ID, ACS operation id) so the
receiving side can drop them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from notification_service.domain.errors import SendFailedError, SendRejectedError
from notification_service.domain.models import Channel, Email, LogEntry, Sms, StatusChange
from notification_service.domain.ports import EmailSender, NotificationLog, Renderer, SmsSender

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    sent: list[Channel] = field(default_factory=list)
    skipped: list[Channel] = field(default_factory=list)
    log_read: bool = False
    """The log was consulted before sending: ``skipped`` is then the answer to "handled before?"."""


def log_key(event_id: str, channel: Channel | str) -> str:
    return f"{event_id}:{channel}"


class Notifier:
    def __init__(
        self,
        renderer: Renderer,
        email_sender: EmailSender,
        sms_sender: SmsSender,
        notification_log: NotificationLog,
        *,
        retry_base_seconds: float = 0.5,
        retry_max_seconds: float = 30.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._renderer = renderer
        self._email = email_sender
        self._sms = sms_sender
        self._log = notification_log
        self._retry_base = retry_base_seconds
        self._retry_max = retry_max_seconds
        self._clock = clock
        self._sleep = sleep

    async def handle(self, change: StatusChange, *, may_be_repeat: bool = True) -> Outcome:
        """Sends ``change``'s messages and records them; with ``may_be_repeat`` (the default) only when the
        log has no row for the event. Without it the caller knows the event cannot have been handled
        before (``consumer.RedeliveredPrefix``), and the read is spared."""
        outcome = Outcome()
        planned: list[tuple[Channel, Email | Sms]] = [
            (channel, message)
            for channel, message in (
                (Channel.EMAIL, self._renderer.email(change)),
                (Channel.SMS, self._renderer.sms(change)),
            )
            if message is not None
        ]
        if not planned:
            return outcome
        if may_be_repeat:
            outcome.log_read = True
            if await self._log.was_sent(change.order_id, change.event_id, planned[0][0]):
                outcome.skipped.extend(channel for channel, _ in planned)
                return outcome
        rows: list[tuple[str, LogEntry]] = []
        for channel, message in planned:
            status, reason = "sent", None
            try:
                await self._send_until_accepted(channel, message)
            except SendRejectedError as rejected:
                log.warning(
                    "send rejected for good", extra={"channel": channel.value, "error": str(rejected)}
                )
                status, reason = "rejected", str(rejected)
            entry = LogEntry(
                order_id=change.order_id,
                event_id=change.event_id,
                channel=channel.value,
                status=status,
                recipient=message.to,
                subject=message.subject if isinstance(message, Email) else None,
                order_status=change.status.value,
                reason=reason,
                at=self._clock(),
            )
            rows.append((log_key(change.event_id, channel), entry))
            if status == "sent":
                outcome.sent.append(channel)
        await self._log.record_all(rows)
        return outcome

    async def record_poison(self, *, key: str, event_id: str | None, reason: str, description: str) -> None:
        await self._log.record(
            LogEntry(
                order_id=None,
                event_id=event_id,
                channel="none",
                status="poison",
                recipient=None,
                subject=None,
                order_status=None,
                reason=f"{reason}: {description}",
                at=self._clock(),
            ),
            key=key,
        )

    async def _send_until_accepted(self, channel: Channel, message: Email | Sms) -> None:
        """Retries a refused send with backoff for as long as it takes: skipping would lose the
        notification (the hub does not redeliver), and shutdown cancels the wait without checkpointing."""
        delay = self._retry_base
        while True:
            try:
                if isinstance(message, Email):
                    await self._email.send(message)
                else:
                    await self._sms.send(message)
                return
            except SendFailedError as error:
                log.warning("send failed; retrying", extra={"channel": channel.value, "error": str(error)})
                await self._sleep(delay)
                delay = min(delay * 2, self._retry_max)
