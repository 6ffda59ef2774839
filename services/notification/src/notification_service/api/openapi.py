"""The HTTP app's OpenAPI 3.1 document, served at ``GET /openapi.json``.

aiohttp has no schema of its own, so the document is written here from the values the code uses (the
order id rule, channels, order statuses); ``tests/api/test_openapi.py`` fails when an aiohttp route is
missing from it (or it names one the app does not serve) and validates real answers against it.
"""

from __future__ import annotations

from typing import Any

from servicekit.openapi import common_schemas, ops_paths, problem_response, ref
from servicekit.openapi import json_response as _json

from notification_service.domain.models import Channel, OrderStatus

# The rule ``GET /notifications`` checks ``orderId`` with; JSON Schema patterns are unanchored.
ORDER_ID_PATTERN = r"^[A-Za-z0-9._~:@!$&'()*+,;=-]{1,128}$"
# What a notification of an order ends as; poison events are not an order's and are never listed.
SEND_STATUSES = ("sent", "rejected")


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_SCHEMAS: dict[str, Any] = {
    "Notification": {
        "type": "object",
        "required": ["eventId", "channel", "status", "recipient", "subject", "orderStatus", "reason", "at"],
        "properties": {
            "eventId": {"type": "string", "description": "The `OrderStatusChanged` event's id."},
            "channel": {"type": "string", "enum": [channel.value for channel in Channel]},
            "status": {
                "type": "string",
                "enum": list(SEND_STATUSES),
                "description": "`sent`: the transport accepted it; `rejected`: refused for good.",
            },
            "recipient": _nullable({"type": "string"}),
            "subject": _nullable({"type": "string"}),
            "orderStatus": {"type": "string", "enum": [status.value for status in OrderStatus]},
            "reason": _nullable({"type": "string"}),
            "at": {"type": "string", "format": "date-time"},
        },
        "additionalProperties": False,
    },
    "NotificationLog": {
        "type": "object",
        "required": ["orderId", "notifications"],
        "properties": {
            "orderId": {"type": "string"},
            "notifications": {"type": "array", "items": ref("Notification")},
        },
        "additionalProperties": False,
    },
    **common_schemas("RFC 9457 problem details; `field` names the request parameter at fault."),
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Contoso Shop notification service",
            "version": "1.0.0",
            "description": "The service's own log of the emails and SMS it sent for each order. Errors are "
            "application/problem+json (RFC 9457).",
        },
        "paths": {
            "/notifications": {
                "get": {
                    "operationId": "listNotifications",
                    "summary": "What was sent for an order, oldest first",
                    "parameters": [
                        {
                            "name": "orderId",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "pattern": ORDER_ID_PATTERN},
                            "example": "0f6d2c7e-6a55-4d84-9a57-1d0c6f3c1b2a",
                        }
                    ],
                    "responses": {
                        "200": _json(
                            "The order's notifications (none yet is an empty list)", ref("NotificationLog")
                        ),
                        "400": problem_response(
                            "`orderId` missing or breaking the rule (`field`: `orderId`)"
                        ),
                    },
                }
            },
            **ops_paths("Readiness: Table and Blob storage answer, the consumer is running"),
        },
        "components": {"schemas": _SCHEMAS},
    }
