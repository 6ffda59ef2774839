"""``GET /payments/{orderId}`` and the admin ``POST /payments/{orderId}/refund``."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, Response, jsonify, request
from servicekit.auth import bearer_token, require_role
from servicekit.problems import ApiError

from payment_service.api.deps import runtime
from payment_service.api.openapi import ORDER_ID_PATTERN
from payment_service.domain.errors import PaymentNotFoundError
from payment_service.domain.models import Payment, PaymentState
from payment_service.domain.refunds import refund_payment

log = logging.getLogger(__name__)
blueprint = Blueprint("payments", __name__)

_ORDER_ID = re.compile(ORDER_ID_PATTERN)


def _order_id(value: str) -> str:
    if not _ORDER_ID.match(value):
        raise ApiError(
            400,
            "Invalid order id",
            "orderId must be 1-128 characters of letters, digits and -._~:@!$&'()*+,;=",
            slug="invalid-parameter",
            field="orderId",
        )
    return value


def payment_public(payment: Payment) -> dict[str, Any]:
    status = "pending" if payment.succeeded is None else ("succeeded" if payment.succeeded else "failed")
    if payment.state is PaymentState.REFUNDED:
        status = "refunded"
    body: dict[str, Any] = {
        "orderId": payment.order_id,
        "paymentId": payment.payment_id,
        "status": status,
        "state": payment.state.value,
        "amount": payment.amount.wire(),
        "cardLast4": payment.card_last4,
        "createdAt": payment.created_at.isoformat(),
        "decidedAt": payment.decided_at.isoformat() if payment.decided_at else None,
    }
    if payment.authorization_code:
        body["authorizationCode"] = payment.authorization_code
    if payment.failure_reason:
        body["failureReason"] = payment.failure_reason.value
    if payment.refund_id:
        body["refundId"] = payment.refund_id
        body["refundedAt"] = payment.refunded_at.isoformat() if payment.refunded_at else None
    return body


@blueprint.get("/payments/<order_id>")
async def get_payment(order_id: str) -> Response:
    rt = runtime()
    payment = await rt.io.call(rt.ledger.get(_order_id(order_id)))
    if payment is None:
        raise PaymentNotFoundError(order_id)
    return jsonify(payment_public(payment))


@blueprint.post("/payments/<order_id>/refund")
async def refund(order_id: str) -> Response:
    rt = runtime()
    token = bearer_token(request.headers.get("Authorization"))
    claims = await rt.io.call(rt.verifier.verify(token))
    require_role(claims, rt.settings.auth_admin_role)
    payment, refunded_now = await rt.io.call(refund_payment(rt.ledger, rt.gateway, _order_id(order_id)))
    if refunded_now:
        rt.metrics.refunds.inc()
        log.info("payment refunded", extra={"order_id": order_id, "by": claims.get("sub")})
    response = jsonify(payment_public(payment))
    response.headers["Idempotent-Replayed"] = "false" if refunded_now else "true"
    return response
