"""notification ← order: ``OrderStatusChanged`` on Event Hub ``order-events``.

Each message of the pact goes through the consumer's real handler (``OrderEventHandler``: envelope
decoding against the contract schemas, the status change mapping) and the real ``Notifier`` with the real
Jinja2 renderer and the notification log in Table storage (Azurite). Only the email and SMS transports
record instead of sending: they are the edge of the world (SMTP, Azure Communication Services).

The pact asks only for what order guarantees: ``customer.phone`` and ``reason`` are optional in the
schema, so the pact does not require them (a consumer pact that needs an optional field would fail
against a provider that rightly leaves it out).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from contract_gate import pacts
from notification_service.adapters.eventhub import InboundEvent
from notification_service.adapters.tables import TableNotificationLog
from notification_service.consumer import OrderEventHandler
from notification_service.domain.models import Email, Sms
from notification_service.domain.notifier import Notifier
from notification_service.metrics import Metrics
from notification_service.rendering import TemplateRenderer
from pact import Pact, match
from servicekit.contracts import Contracts

ORDER_ID = "7d0f3c52-8b9e-4d1a-a6f2-3e4b5c6d7e8f"
EVENT_ID = "c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f"
STATUS = r"^(PENDING_PAYMENT|PAID|PAYMENT_FAILED|FULFILLED|CANCELLED)$"


def order_status_changed_pact() -> Pact:
    pact = Pact("notification", "order").with_specification("V4")
    (
        pact.upon_receiving("an OrderStatusChanged message", "Async")
        .with_body(
            {
                "id": pacts.uuid(EVENT_ID),
                "type": "OrderStatusChanged",
                "version": 1,
                "occurredAt": pacts.timestamp("2026-11-26T08:00:02.000Z"),
                "correlationId": pacts.uuid(ORDER_ID),
                "data": {
                    "orderId": pacts.uuid(ORDER_ID),
                    "previousStatus": match.regex("PENDING_PAYMENT", regex=STATUS),
                    "status": match.regex("PAID", regex=STATUS),
                    "customer": {
                        "email": match.regex("ada@example.com", regex=r"^[^@\s]+@[^@\s]+$"),
                        "name": match.str("Ada Lovelace"),
                    },
                    "total": pacts.money("25.00", "EUR"),
                },
            },
            "application/json",
        )
        .with_metadata(
            {
                "contentType": "application/json",
                "partitionKey": pacts.uuid(ORDER_ID),
                "type": "OrderStatusChanged",
                "version": 1,
                "traceparent": pacts.traceparent(),
            }
        )
    )
    return pact


class RecordingEmail:
    def __init__(self) -> None:
        self.sent: list[Email] = []

    async def send(self, email: Email) -> None:
        self.sent.append(email)


class RecordingSms:
    def __init__(self) -> None:
        self.sent: list[Sms] = []

    async def send(self, sms: Sms) -> None:
        self.sent.append(sms)


def inbound(body: str | bytes | None, metadata: dict[str, Any]) -> InboundEvent:
    """The event as the Event Hubs adapter hands it to the handler (``eventhub.to_inbound``): application
    properties as text, the body's data sections joined."""
    raw = body.encode() if isinstance(body, str) else body
    properties: dict[str, str] = {
        key: str(metadata[key]) for key in ("type", "version", "traceparent") if key in metadata
    }
    return InboundEvent(partition_id="0", sequence_number=1, body=raw, properties=properties)


async def consume(event: InboundEvent, connection_string: str) -> None:
    log = TableNotificationLog.connect(
        f"notifications{uuid.uuid4().hex[:12]}", connection_string=connection_string, endpoint=None
    )
    try:
        await log.ensure_table()
        email, sms = RecordingEmail(), RecordingSms()
        notifier = Notifier(TemplateRenderer("Contoso Shop", "http://127.0.0.1:8080/"), email, sms, log)
        handler = OrderEventHandler(Contracts(pacts.MESSAGE_SCHEMAS), notifier, Metrics())

        await handler(event)

        data = json.loads(event.body or b"")["data"]
        [sent] = email.sent
        assert (sent.to, sent.to_name) == (data["customer"]["email"], data["customer"]["name"])
        assert data["orderId"] in sent.subject
        assert sms.sent == []  # no phone in the pact, so no text
        entries = await log.for_order(data["orderId"])
        assert [(entry.channel, entry.status) for entry in entries] == [("email", "sent")], entries
    finally:
        await log.close()


def test_notification_handles_order_status_changed_from_order(tables_connection_string: str) -> None:
    pact = order_status_changed_pact()

    def handle(body: str | bytes | None, metadata: dict[str, Any]) -> None:
        # The Pact core hands the body over as its own string type: bytes or text, as on the wire.
        text = body if body is None or isinstance(body, bytes) else str(body)
        asyncio.run(consume(inbound(text, metadata), tables_connection_string))

    pact.verify(handle, "Async")
    pacts.write_pact(pact)
