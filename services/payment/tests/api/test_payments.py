"""GET /payments/{orderId} and the admin refund, in-process, against Azurite and the gateway simulator.

Async tests call the app from a thread: Flask runs async views on an event loop of its own."""

from __future__ import annotations

import asyncio

from flask.testing import FlaskClient
from payment_service.adapters.ledger import TableLedger
from payment_service.domain.models import PaymentState
from payment_service.settings import Settings

from ..conftest import admin_token, published_payment


async def test_get_payment_returns_the_ledger_row_without_card_number(
    client: FlaskClient, ledger: TableLedger
) -> None:
    payment = await published_payment(ledger)

    response = await asyncio.to_thread(client.get, f"/payments/{payment.order_id}")

    assert response.status_code == 200
    body = response.get_json()
    assert body["paymentId"] == payment.payment_id
    assert body["status"] == "succeeded"
    assert body["amount"] == {"value": "59.97", "currency": "EUR"}
    assert body["cardLast4"] == "4242"
    assert "traceparent" in response.headers


def test_get_payment_unknown_order_is_problem_naming_order_id(client: FlaskClient) -> None:
    response = client.get("/payments/ord_missing")

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["field"] == "orderId"


def test_get_payment_rejects_malformed_order_id(client: FlaskClient) -> None:
    response = client.get("/payments/" + "x" * 129)

    assert response.status_code == 400
    assert response.get_json()["field"] == "orderId"


async def test_refund_without_token_is_401(client: FlaskClient, ledger: TableLedger) -> None:
    payment = await published_payment(ledger)

    response = await asyncio.to_thread(client.post, f"/payments/{payment.order_id}/refund")

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["field"] == "Authorization"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_refund_with_forged_token_is_401(client: FlaskClient, ledger: TableLedger) -> None:
    payment = await published_payment(ledger)
    response = await asyncio.to_thread(
        client.post, f"/payments/{payment.order_id}/refund", headers={"Authorization": "Bearer not.a.token"}
    )

    assert response.status_code == 401


async def test_refund_without_admin_role_is_403(
    client: FlaskClient, ledger: TableLedger, settings: Settings
) -> None:
    payment = await published_payment(ledger)

    response = await asyncio.to_thread(
        client.post,
        f"/payments/{payment.order_id}/refund",
        headers={"Authorization": f"Bearer {admin_token(settings, roles=['Payments.Reader'])}"},
    )

    assert response.status_code == 403


async def test_refund_succeeded_payment_once_then_replays(
    client: FlaskClient, ledger: TableLedger, settings: Settings
) -> None:
    payment = await published_payment(ledger)
    headers = {"Authorization": f"Bearer {admin_token(settings)}"}

    first = await asyncio.to_thread(client.post, f"/payments/{payment.order_id}/refund", headers=headers)
    second = await asyncio.to_thread(client.post, f"/payments/{payment.order_id}/refund", headers=headers)

    assert first.status_code == 200
    assert first.get_json()["status"] == "refunded"
    assert first.headers["Idempotent-Replayed"] == "false"
    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json()["refundId"] == first.get_json()["refundId"]
    stored = await ledger.get(payment.order_id)
    assert stored is not None
    assert stored.state is PaymentState.REFUNDED


async def test_refund_of_failed_payment_is_409(
    client: FlaskClient, ledger: TableLedger, settings: Settings
) -> None:
    payment = await published_payment(ledger, succeeded=False)

    response = await asyncio.to_thread(
        client.post,
        f"/payments/{payment.order_id}/refund",
        headers={"Authorization": f"Bearer {admin_token(settings)}"},
    )

    assert response.status_code == 409
    assert response.get_json()["field"] == "orderId"


def test_refund_of_unknown_order_is_404(client: FlaskClient, settings: Settings) -> None:
    response = client.post(
        "/payments/ord_nope/refund", headers={"Authorization": f"Bearer {admin_token(settings)}"}
    )

    assert response.status_code == 404
