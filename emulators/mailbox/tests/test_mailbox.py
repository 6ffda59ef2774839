"""The mailbox as the services and tests use it: real SMTP in, real HTTP out."""

from __future__ import annotations

import smtplib
import socket
import threading
from email.message import EmailMessage
from typing import TYPE_CHECKING

import httpx
from emulator_common.testing import launched

if TYPE_CHECKING:
    from conftest import RunningMailbox


def send_mail(port: int, to: str, subject: str, text: str, html: str | None = None) -> None:
    message = EmailMessage()
    message["From"] = "Contoso Shop <orders@contoso-shop.example>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)


def test_mail_sent_over_smtp_is_listed_and_fetchable(mailbox: RunningMailbox) -> None:
    send_mail(mailbox.smtp_port, "ada@example.com", "Order ord_1 is paid", "Thanks!", "<p>Thanks!</p>")
    listed = mailbox.http.get("/api/messages", params={"to": "ADA@example.com"}).json()["messages"]
    assert [m["subject"] for m in listed] == ["Order ord_1 is paid"]
    assert listed[0]["from"] == "Contoso Shop <orders@contoso-shop.example>"
    detail = mailbox.http.get(f"/api/messages/{listed[0]['id']}").json()
    assert detail["text"].strip() == "Thanks!"
    assert detail["html"].strip() == "<p>Thanks!</p>"
    assert {"name": "Subject", "value": "Order ord_1 is paid"} in detail["headers"]


def test_listing_filters_by_recipient_and_subject(mailbox: RunningMailbox) -> None:
    send_mail(mailbox.smtp_port, "ada@example.com", "Order ord_1 is paid", "a")
    send_mail(mailbox.smtp_port, "bob@example.com", "Order ord_2 is paid", "b")
    send_mail(mailbox.smtp_port, "ada@example.com", "Order ord_3 failed", "c")
    by_subject = mailbox.http.get("/api/messages", params={"to": "ada@example.com", "subject": "PAID"})
    assert [m["subject"] for m in by_subject.json()["messages"]] == ["Order ord_1 is paid"]
    everything = mailbox.http.get("/api/messages").json()["messages"]
    assert [m["subject"] for m in everything] == [
        "Order ord_3 failed",
        "Order ord_2 is paid",
        "Order ord_1 is paid",
    ]


def test_wait_answers_when_a_matching_mail_arrives(mailbox: RunningMailbox) -> None:
    sender = threading.Timer(0.3, send_mail, (mailbox.smtp_port, "late@example.com", "Late", "x"))
    sender.start()
    waited = mailbox.http.get("/api/messages", params={"to": "late@example.com", "wait": 20})
    sender.join()
    assert [m["subject"] for m in waited.json()["messages"]] == ["Late"]


def test_wait_without_a_match_answers_an_empty_list(mailbox: RunningMailbox) -> None:
    waited = mailbox.http.get("/api/messages", params={"to": "nobody@example.com", "wait": 0.2})
    assert waited.status_code == 200
    assert waited.json() == {"messages": []}


def test_raw_message_is_returned_as_received(mailbox: RunningMailbox) -> None:
    send_mail(mailbox.smtp_port, "raw@example.com", "Raw", "body line")
    (listed,) = mailbox.http.get("/api/messages").json()["messages"]
    raw = mailbox.http.get(f"/api/messages/{listed['id']}/raw")
    assert raw.headers["content-type"].startswith("message/rfc822")
    assert b"Subject: Raw" in raw.content
    assert b"body line" in raw.content


def test_unknown_message_is_a_404_problem(mailbox: RunningMailbox) -> None:
    response = mailbox.http.get("/api/messages/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "no message 'nope'"


def test_bad_wait_is_rejected_naming_the_parameter(mailbox: RunningMailbox) -> None:
    response = mailbox.http.get("/api/messages", params={"wait": "forever"})
    assert response.status_code == 400
    assert response.json()["field"] == "wait"


def test_sms_is_accepted_and_listed_by_number(mailbox: RunningMailbox) -> None:
    created = mailbox.http.post("/api/sms", json={"to": "+447700900123", "body": "Order ord_1 is paid"})
    assert created.status_code == 201
    assert created.json()["from"] == "ContosoShop"
    mailbox.http.post("/api/sms", json={"to": "+15555550100", "from": "Shop", "body": "other"})
    texts = mailbox.http.get("/api/sms", params={"to": "+447700900123"}).json()["messages"]
    assert [t["body"] for t in texts] == ["Order ord_1 is paid"]


def test_sms_with_a_bad_number_is_rejected_naming_the_field(mailbox: RunningMailbox) -> None:
    response = mailbox.http.post("/api/sms", json={"to": "07700 900123", "body": "hi"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == "to"
    assert mailbox.http.get("/api/sms").json() == {"messages": []}


def test_sms_with_unknown_field_or_bad_json_is_rejected(mailbox: RunningMailbox) -> None:
    unknown = mailbox.http.post("/api/sms", json={"to": "+447700900123", "body": "hi", "priority": 1})
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "priority"
    broken = mailbox.http.post("/api/sms", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 400
    assert "not valid JSON" in broken.json()["detail"]


def test_garbage_on_smtp_closes_nothing_but_that_session(mailbox: RunningMailbox) -> None:
    with socket.create_connection(("127.0.0.1", mailbox.smtp_port), timeout=5) as rogue:
        rogue.recv(1024)
        rogue.sendall(
            b"\x00\xff\xfe GARBAGE\r\nRCPT TO:<before-mail-from@example.com>\r\n" + b"A" * 5000 + b"\r\n"
        )
        replies = rogue.recv(4096)
        assert replies.startswith(b"5")
    send_mail(mailbox.smtp_port, "after@example.com", "Still works", "ok")
    assert [m["subject"] for m in mailbox.http.get("/api/messages").json()["messages"]] == ["Still works"]


def test_malformed_mail_is_kept_rather_than_lost(mailbox: RunningMailbox) -> None:
    with smtplib.SMTP("127.0.0.1", mailbox.smtp_port, timeout=10) as smtp:
        smtp.sendmail(
            "x@example.com", ["broken@example.com"], b"Subject: =?bogus?Q?x?=\r\nNo-Colon-Header\r\n\r\nbody"
        )
    (mail,) = mailbox.http.get("/api/messages", params={"to": "broken@example.com"}).json()["messages"]
    assert mail["size"] > 0


def test_inbox_page_lists_mail_with_content_escaped(mailbox: RunningMailbox) -> None:
    send_mail(mailbox.smtp_port, "page@example.com", "<script>alert(1)</script>", "hello")
    page = mailbox.http.get("/")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_health_answers(mailbox: RunningMailbox) -> None:
    assert mailbox.http.get("/health").json() == {"status": "healthy"}


def test_receiving_a_mail_logs_no_address_of_it() -> None:
    # aiosmtpd logs each command line at INFO (RCPT TO:<customer address>) unless told otherwise.
    with launched("mailbox_emulator.cli", "--smtp-port", "0", "--http-port", "0") as running:
        send_mail(running.port("smtp_port"), "grace.hopper@example.com", "Order ord_9 is paid", "Thanks!")
        with httpx.Client(base_url=f"http://127.0.0.1:{running.port('http_port')}") as http:
            assert http.get("/api/messages").json()["messages"]
        assert running.stop() == 0
    logged = "\n".join(running.lines)
    assert "grace.hopper" not in logged
    assert "orders@contoso-shop.example" not in logged
