"""The bytes of an email: the plain-ASCII header shortcut and the fixed boundary change nothing a reader
sees (compat32 itself is the reference, the standard library's parser the reader)."""

from __future__ import annotations

import email
from email.message import Message
from email.policy import compat32

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


@pytest.mark.parametrize("message", EMAILS, ids=lambda e: e.idempotency_key)
def test_messages_are_the_bytes_compat32_writes(message: Email, monkeypatch: pytest.MonkeyPatch) -> None:
    written = mime_bytes(message, "orders@contoso-shop.example", "Contoso Shop")
    monkeypatch.setattr(smtp, "_POLICY", compat32.clone(linesep="\r\n"))

    assert written == mime_bytes(message, "orders@contoso-shop.example", "Contoso Shop")


@pytest.mark.parametrize("message", EMAILS, ids=lambda e: e.idempotency_key)
def test_messages_have_crlf_line_endings_as_smtp_carries_them(
    message: Email, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = mime_bytes(message, "orders@contoso-shop.example", "Contoso Shop")
    monkeypatch.setattr(smtp, "_POLICY", compat32)

    # compat32's own "\n" message with every line ending made CRLF: what SMTP clients put on the wire.
    assert written == mime_bytes(message, "orders@contoso-shop.example", "Contoso Shop").replace(
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
