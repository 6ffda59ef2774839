"""Templates: every status renders; HTML escapes customer data; texts only where they belong."""

from __future__ import annotations

import pytest
from notification_service.domain.models import Customer, OrderStatus, StatusChange
from notification_service.rendering import TemplateRenderer, idempotency_key


def change(
    status: OrderStatus, *, name: str = "Ada Lovelace", phone: str | None = "+447700900123"
) -> StatusChange:
    return StatusChange(
        event_id="c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f",
        order_id="ord_7f3a9c",
        previous_status=None,
        status=status,
        customer=Customer("ada@example.com", name, phone),
        total_value="59.97",
        total_currency="EUR",
        reason="card declined" if status is OrderStatus.PAYMENT_FAILED else None,
        occurred_at="2026-11-26T08:00:02.000Z",
    )


RENDERER = TemplateRenderer("Contoso Shop", "https://shop.example/")


@pytest.mark.parametrize("status", list(OrderStatus))
def test_every_status_renders_an_email_with_order_and_total(status: OrderStatus) -> None:
    email = RENDERER.email(change(status))
    assert "ord_7f3a9c" in email.subject
    for body in (email.text, email.html):
        assert "ord_7f3a9c" in body
        assert "59.97 EUR" in body
        assert "Ada Lovelace" in body


def test_html_escapes_the_customer_name_and_text_keeps_it_verbatim() -> None:
    email = RENDERER.email(change(OrderStatus.PAID, name="<script>alert(1)</script>"))
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert "<script>alert(1)</script>" in email.text


def test_payment_failed_mentions_the_reason() -> None:
    email = RENDERER.email(change(OrderStatus.PAYMENT_FAILED))
    assert "card declined" in email.text


def test_sms_only_for_customers_with_a_phone_and_statuses_worth_a_text() -> None:
    assert RENDERER.sms(change(OrderStatus.PAID, phone=None)) is None
    assert RENDERER.sms(change(OrderStatus.PENDING_PAYMENT)) is None
    sms = RENDERER.sms(change(OrderStatus.FULFILLED))
    assert sms is not None
    assert sms.to == "+447700900123"
    assert sms.body == "Contoso Shop: order ord_7f3a9c has shipped."


def test_idempotency_key_is_stable_per_event_and_channel() -> None:
    assert idempotency_key("e1", "email") == idempotency_key("e1", "email")
    assert idempotency_key("e1", "email") != idempotency_key("e1", "sms")
