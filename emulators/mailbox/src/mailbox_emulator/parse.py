"""Turns the bytes of an SMTP DATA command into a Mail, leniently: a malformed message is still kept."""

from __future__ import annotations

import uuid
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from mailbox_emulator.model import Mail

_KEPT_HEADERS = (
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "Content-Type",
    "X-Order-Id",
)


def parse_mail(envelope_from: str, envelope_to: list[str], data: bytes, received_at: datetime) -> Mail:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return Mail(
        id=uuid.uuid4().hex,
        received_at=received_at,
        envelope_from=envelope_from,
        envelope_to=tuple(envelope_to),
        from_header=_header(message, "From"),
        to_header=_header(message, "To"),
        subject=_header(message, "Subject"),
        text=_body(message, "plain"),
        html=_body(message, "html"),
        headers=tuple((name, _header(message, name)) for name in _KEPT_HEADERS if name in message),
        raw=data,
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, ""))
    except (ValueError, IndexError):  # a header the parser cannot decode is shown raw
        return str(message.get_all(name, [""])[0])


def _body(message: EmailMessage, subtype: str) -> str | None:
    try:
        part = message.get_body(preferencelist=(subtype,))
        if part is None:
            return None
        content = part.get_content()
    except (KeyError, LookupError, ValueError):
        return None
    return content if isinstance(content, str) else None
