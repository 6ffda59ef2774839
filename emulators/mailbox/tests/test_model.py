"""A received mail keeps its bytes and is parsed on first read, once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from mailbox_emulator import model
from mailbox_emulator.model import Mail

RAW = (
    b"From: Contoso Shop <orders@contoso-shop.example>\r\nTo: ada@example.com\r\n"
    b"Subject: =?utf-8?q?Commande_re=C3=A7ue?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMerci\r\n"
)


def mail(raw: bytes = RAW) -> Mail:
    return Mail("m1", datetime.now(UTC), "orders@contoso-shop.example", ("ada@example.com",), raw)


def test_a_mail_is_parsed_on_its_first_read_and_only_then(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[bytes] = []
    real_parse = model.parse_content

    def counting_parse(data: bytes) -> model.MailContent:
        parsed.append(data)
        return real_parse(data)

    monkeypatch.setattr(model, "parse_content", counting_parse)
    received = mail()
    assert received.addressed_to("ADA@example.com")
    assert parsed == []  # the envelope needs no parsing

    assert received.subject == "Commande reçue"
    assert received.text is not None
    assert received.text.strip() == "Merci"
    assert received.summary()["from"] == "Contoso Shop <orders@contoso-shop.example>"
    assert parsed == [RAW]


def test_a_mail_without_headers_or_parts_still_reads() -> None:
    broken = mail(b"no header at all, no blank line")
    assert broken.subject == ""
    assert broken.html is None
    assert broken.detail()["size"] == len(b"no header at all, no blank line")
