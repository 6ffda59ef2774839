"""What the domain needs from the world; adapters implement these."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from notification_service.domain.models import Channel, Email, LogEntry, Sms, StatusChange


class EmailSender(Protocol):
    async def send(self, email: Email) -> None:
        """Raises SendFailedError when the transport refuses or does not answer."""
        ...


class SmsSender(Protocol):
    async def send(self, sms: Sms) -> None:
        """Raises SendFailedError when the transport refuses or does not answer."""
        ...


class NotificationLog(Protocol):
    """The dedupe store and the service's own log, in one table."""

    async def was_sent(self, order_id: str, event_id: str, channel: Channel) -> bool: ...

    async def record(self, entry: LogEntry, *, key: str) -> None: ...

    async def record_all(self, rows: Sequence[tuple[str, LogEntry]]) -> None:
        """Records the (key, entry) rows of one event at once: all of them, or none."""
        ...

    async def for_order(self, order_id: str) -> list[LogEntry]: ...


class Renderer(Protocol):
    def email(self, change: StatusChange) -> Email | None: ...

    def sms(self, change: StatusChange) -> Sms | None: ...
