"""What the mailbox holds: received emails and text messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mailbox_emulator.parse import MailContent, parse_content


class Mail:
    """A received email: its envelope and bytes as they came in, and what the bytes say.

    The bytes are parsed on the first read of a header or body, not on receipt: most mail is never read
    (a load test sends thousands), and parsing is most of what receiving one would cost.
    """

    __slots__ = ("_content", "envelope_from", "envelope_to", "id", "raw", "received_at")

    def __init__(
        self, id: str, received_at: datetime, envelope_from: str, envelope_to: tuple[str, ...], raw: bytes
    ) -> None:
        self.id = id
        self.received_at = received_at
        self.envelope_from = envelope_from
        self.envelope_to = envelope_to
        self.raw = raw
        self._content: MailContent | None = None

    @property
    def content(self) -> MailContent:
        if self._content is None:
            self._content = parse_content(self.raw)
        return self._content

    @property
    def from_header(self) -> str:
        return self.content.from_header

    @property
    def to_header(self) -> str:
        return self.content.to_header

    @property
    def subject(self) -> str:
        return self.content.subject

    @property
    def text(self) -> str | None:
        return self.content.text

    @property
    def html(self) -> str | None:
        return self.content.html

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        return self.content.headers

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "receivedAt": self.received_at.isoformat(),
            "from": self.from_header or self.envelope_from,
            "to": list(self.envelope_to),
            "subject": self.subject,
            "hasText": self.text is not None,
            "hasHtml": self.html is not None,
            "size": len(self.raw),
        }

    def detail(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "envelopeFrom": self.envelope_from,
            "toHeader": self.to_header,
            "text": self.text,
            "html": self.html,
            "headers": [{"name": name, "value": value} for name, value in self.headers],
        }

    def addressed_to(self, address: str) -> bool:
        wanted = address.casefold()
        return any(recipient.casefold() == wanted for recipient in self.envelope_to)


@dataclass(frozen=True, slots=True)
class Sms:
    id: str
    received_at: datetime
    to: str
    sender: str
    body: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "receivedAt": self.received_at.isoformat(),
            "to": self.to,
            "from": self.sender,
            "body": self.body,
        }
