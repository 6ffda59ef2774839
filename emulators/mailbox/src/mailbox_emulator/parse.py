"""Reads the bytes of an SMTP DATA command, leniently: a malformed message still shows what it can."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

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


@dataclass(frozen=True, slots=True)
class MailContent:
    """What a message says of itself: its main headers (decoded) and its text and HTML bodies."""

    from_header: str
    to_header: str
    subject: str
    text: str | None
    html: str | None
    headers: tuple[tuple[str, str], ...]


def parse_content(data: bytes) -> MailContent:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return MailContent(
        from_header=_header(message, "From"),
        to_header=_header(message, "To"),
        subject=_header(message, "Subject"),
        text=_body(message, "plain"),
        html=_body(message, "html"),
        headers=tuple((name, _header(message, name)) for name in _KEPT_HEADERS if name in message),
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
