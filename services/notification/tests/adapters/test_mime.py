"""The bytes of an email: the hand-built message, the plain-ASCII header shortcut and the fixed boundary
change nothing a reader sees (the email package's compat32 classes are the reference, the standard
library's parser the reader)."""

from __future__ import annotations

import email
import random
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Policy, compat32
from email.utils import formataddr

import pytest
from notification_service.adapters import smtp
from notification_service.adapters.smtp import PlainHeadersAsIs, mime_bytes
from notification_service.domain.models import Email

HEADER_VALUES = [
    "a",
    "a b",
    "a  b",
    " a",
    "a ",
    "",
    "x" * 70,
    "x" * 74,
    "x" * 75,
    "a\tb",
    "a\nb",
    "é",
    "=?utf-8?q?Zo=C3=AB?= <z@example.com>",
    '"Ada, L" <ada@example.com>',
    'text/plain; charset="utf-8"',
    'multipart/alternative; boundary="=_contoso-shop-alternative_="',
    "word " * 20,
]

EMAILS = [
    Email("ada@example.com", "Ada Lovelace", "Your order is paid", "Hello,\n" * 30, "<p>Hi</p>\n" * 30, "e1"),
    Email("z@example.com", "Zoë Ødegård", "Commande reçue", "Merci, Zoë", "<p>Zoë</p>", "e2:email"),
    Email("x@example.com", "A Very Long Customer Name " * 4, "S" * 120, "t", "<b>h</b>", "e3"),
    Email("y@example.com", 'Ada "The Countess", L.', "two  spaces", "a\r\nb", "<i>c</i>", "e4"),
]


@pytest.mark.parametrize("name", ["To", "Content-Type", "X-A-Header-Name-Longer-Than-Most"])
def test_headers_are_written_as_compat32_writes_them(name: str) -> None:
    for value in HEADER_VALUES:
        assert PlainHeadersAsIs().fold_binary(name, value) == compat32.fold_binary(name, value), value


def email_package_bytes(email: Email, sender: str, sender_name: str, policy: Policy = compat32) -> bytes:
    """The message as the email package's compat32 classes build and write it: the reference."""
    utf8 = Charset("utf-8")
    utf8.body_encoding = QP
    utf8.header_encoding = QP
    message = MIMEMultipart("alternative", boundary=smtp._BOUNDARY)
    message["From"] = formataddr((sender_name, sender), charset="utf-8")
    message["To"] = formataddr((email.to_name, email.to), charset="utf-8")
    message["Subject"] = email.subject if email.subject.isascii() else Header(email.subject, utf8).encode()
    message["Message-ID"] = f"<{email.idempotency_key}@notifications.contoso-shop.example>"
    for subtype, body in (("plain", email.text), ("html", email.html)):
        part = MIMENonMultipart("text", subtype)
        part.set_payload(body, utf8)
        message.attach(part)
    return message.as_bytes(policy=policy)


def random_text(rng: random.Random, length: int) -> str:
    """Words, spaces, tabs, every kind of line ending, "=", dots, non-ASCII and long unbroken runs."""
    pieces = ["a", "Zoë", " ", "  ", "\t", "\n", "\r\n", "\r", "=", ".", "From ", "x" * 90, "€", "😀", "\x00"]
    return "".join(rng.choice(pieces) for _ in range(length))


@pytest.mark.parametrize("message", EMAILS, ids=lambda e: e.idempotency_key)
def test_messages_are_the_bytes_the_email_package_writes(message: Email) -> None:
    written = mime_bytes(message, "orders@contoso-shop.example", "Contoso Shop")

    assert written == email_package_bytes(
        message, "orders@contoso-shop.example", "Contoso Shop", compat32.clone(linesep="\r\n")
    )


def test_random_messages_are_the_bytes_the_email_package_writes() -> None:
    rng = random.Random(16)
    for number in range(400):
        message = Email(
            f"c{number}@example.com",
            random_text(rng, rng.randrange(0, 12)),
            random_text(rng, rng.randrange(0, 12)),
            random_text(rng, rng.randrange(0, 80)),
            random_text(rng, rng.randrange(0, 80)),
            f"key-{number}",
        )
        sender_name = random_text(rng, rng.randrange(0, 5))

        written = mime_bytes(message, "orders@contoso-shop.example", sender_name)

        assert written == email_package_bytes(
            message, "orders@contoso-shop.example", sender_name, compat32.clone(linesep="\r\n")
        ), message


def test_a_changed_body_is_caught_by_the_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison bites: a part written with its line endings left as they are differs."""
    monkeypatch.setattr(smtp, "_CRLF", "\n")
    message = EMAILS[0]

    assert mime_bytes(message, "o@example.com", "O") != email_package_bytes(
        message, "o@example.com", "O", compat32.clone(linesep="\r\n")
    )


@pytest.mark.parametrize("message", EMAILS, ids=lambda e: e.idempotency_key)
def test_messages_have_crlf_line_endings_as_smtp_carries_them(message: Email) -> None:
    written = mime_bytes(message, "orders@contoso-shop.example", "Contoso Shop")

    # compat32's own "\n" message with every line ending made CRLF: what SMTP clients put on the wire.
    assert written == email_package_bytes(message, "orders@contoso-shop.example", "Contoso Shop").replace(
        b"\n", b"\r\n"
    )


def test_a_body_holding_the_boundary_line_stays_one_part() -> None:
    boundary_line = f"--{smtp._BOUNDARY}"
    message = Email("a@example.com", "A", "S", f"before\n{boundary_line}\nafter", "<p>h</p>", "k")

    parsed = email.message_from_bytes(mime_bytes(message, "o@example.com", "O"))

    parts = [part for part in parsed.walk() if not part.is_multipart()]
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    text = parts[0].get_payload(decode=True)
    assert isinstance(parts[0], Message)
    assert isinstance(text, bytes)
    assert text.decode() == f"before\r\n{boundary_line}\r\nafter"  # the message's CRLF line endings
