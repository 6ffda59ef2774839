"""The API's OpenAPI 3.1 document, served at ``GET /openapi.json``.

Flask has no schema of its own, so the document is written here, next to the routes, from the same values
the code uses (order id rule, states, failure reasons); ``tests/api/test_openapi.py`` fails when a Flask
route is missing from it (or it names a route Flask does not serve) and validates real answers against it.
Paths use the Flask rule's variable names, as the metrics' ``route`` label does (``/payments/{order_id}``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from servicekit.openapi import common_schemas, ops_paths, ref
from servicekit.openapi import json_response as _json
from servicekit.openapi import problem_response as _problem

from payment_service.domain.models import FailureReason, PaymentState

blueprint = Blueprint("openapi", __name__)

# The rule ``payments._order_id`` enforces; JSON Schema patterns are unanchored, hence ``^...$``.
ORDER_ID_PATTERN = r"^[A-Za-z0-9._~:@!$&'()*+,;=-]{1,128}$"
PAYMENT_STATUSES = ("pending", "succeeded", "failed", "refunded")

_TIMESTAMP = {"type": "string", "format": "date-time"}
_ORDER_ID_PARAMETER = {
    "name": "order_id",
    "in": "path",
    "required": True,
    "description": "The order whose payment this is (the ledger's key).",
    "schema": {"type": "string", "pattern": ORDER_ID_PATTERN},
    "example": "ord_7f3a9c2e1b",
}
_INVALID_ORDER_ID = _problem("The order id breaks the rule (`field`: `orderId`)")
_WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": '`Bearer`, with `error="invalid_token"` for a token that was refused.',
        "required": True,
        "schema": {"type": "string", "pattern": "^Bearer"},
    }
}

_SCHEMAS: dict[str, Any] = {
    "Money": {
        "type": "object",
        "required": ["value", "currency"],
        "properties": {
            "value": {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["59.97"]},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["EUR"]},
        },
        "additionalProperties": False,
    },
    "Payment": {
        "type": "object",
        "description": "One order's payment as the ledger holds it. Card numbers never leave the gateway: "
        "only their last four digits.",
        "required": [
            "orderId",
            "paymentId",
            "status",
            "state",
            "amount",
            "cardLast4",
            "createdAt",
            "decidedAt",
        ],
        "properties": {
            "orderId": {"type": "string"},
            "paymentId": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": list(PAYMENT_STATUSES)},
            "state": {
                "type": "string",
                "enum": [state.value for state in PaymentState],
                "description": "Where the payment is in the ledger's state machine.",
            },
            "amount": ref("Money"),
            "cardLast4": {"type": "string", "minLength": 4, "maxLength": 4},
            "createdAt": _TIMESTAMP,
            "decidedAt": {**_TIMESTAMP, "type": ["string", "null"]},
            "authorizationCode": {"type": "string"},
            "failureReason": {"type": "string", "enum": [reason.value for reason in FailureReason]},
            "refundId": {"type": "string"},
            "refundedAt": {**_TIMESTAMP, "type": ["string", "null"]},
        },
        "additionalProperties": False,
    },
    **common_schemas("RFC 9457 problem details; `field` names the request part at fault."),
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Contoso Shop payment service",
            "version": "1.0.0",
            "description": "The payments ledger (one payment per order, charged by the payment worker) and "
            "admin refunds. Errors are application/problem+json (RFC 9457).",
        },
        "paths": {
            "/payments/{order_id}": {
                "get": {
                    "operationId": "getPayment",
                    "summary": "The payment of an order",
                    "parameters": [_ORDER_ID_PARAMETER],
                    "responses": {
                        "200": _json("The payment", ref("Payment")),
                        "400": _INVALID_ORDER_ID,
                        "404": _problem("No payment for this order (yet)"),
                    },
                }
            },
            "/payments/{order_id}/refund": {
                "post": {
                    "operationId": "refundPayment",
                    "summary": "Refund a charged payment in full (admin)",
                    "description": "At most one refund per payment; repeating the call answers the same "
                    "refund with `Idempotent-Replayed: true`.",
                    "security": [{"bearerAuth": []}],
                    "parameters": [_ORDER_ID_PARAMETER],
                    "responses": {
                        "200": _json(
                            "The refunded payment",
                            ref("Payment"),
                            headers={
                                "Idempotent-Replayed": {
                                    "description": "`true` when the payment had been refunded already.",
                                    "required": True,
                                    "schema": {"type": "string", "enum": ["true", "false"]},
                                }
                            },
                        ),
                        "400": _INVALID_ORDER_ID,
                        "401": _problem("Missing or invalid bearer token", headers=_WWW_AUTHENTICATE),
                        "403": _problem("The token lacks the admin role"),
                        "404": _problem("No payment for this order"),
                        "409": _problem("Only a charged, published payment refunds"),
                        "503": _problem("The token's signing keys could not be fetched"),
                    },
                }
            },
            **ops_paths("Readiness: Table storage and Service Bus answer"),
        },
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Admin token with the admin app role (dev HS256 locally, Entra ID in "
                    "Azure).",
                }
            },
        },
    }


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
