"""What the mailbox holds: received emails and text messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Mail:
    id: str
    received_at: datetime
    envelope_from: str
    envelope_to: tuple[str, ...]
    from_header: str
    to_header: str
    subject: str
    text: str | None
    html: str | None
    headers: tuple[tuple[str, str], ...]
    raw: bytes

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
