"""payment ← order: ``PaymentRequested`` on Service Bus queue ``payment-requests``.

Each message of the pact goes through the worker's real handler (``PaymentRequestHandler``: envelope
decoding against the contract schemas, the request mapping, the processor) with its real collaborators:
the ledger in Table storage (Azurite) and the gateway simulator. Only the outbound publisher records
instead of sending: what payment publishes is the ``order-payment`` pact's business, verified against
payment's real worker by the gate. The pact is written only when every message was handled to a
completed settlement with a payment outcome.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

from contract_gate import pacts
from pact import Pact, match
from payment_service.adapters.gateway import CARD_SUCCESS, SimulatedGateway
from payment_service.adapters.ledger import TableLedger
from payment_service.adapters.servicebus import Inbound
from payment_service.domain.models import PaymentState
from payment_service.domain.processor import PaymentProcessor, RetryPolicy
from payment_service.metrics import WorkerMetrics
from payment_service.worker import PaymentRequestHandler
from servicekit.contracts import Contracts

ORDER_ID = "7d0f3c52-8b9e-4d1a-a6f2-3e4b5c6d7e8f"
MESSAGE_ID = "0b8f9a4e-3c1d-4f7a-9d2e-5a6b7c8d9e01"
PRODUCT_ID = "kitc-mug"


def payment_requested_pact() -> Pact:
    pact = Pact("payment", "order").with_specification("V4")
    (
        pact.upon_receiving("a PaymentRequested message", "Async")
        .with_body(
            {
                "id": pacts.uuid(MESSAGE_ID),
                "type": "PaymentRequested",
                "version": 1,
                "occurredAt": pacts.timestamp("2026-11-26T08:00:00.000Z"),
                "correlationId": pacts.uuid(ORDER_ID),
                "data": {
                    "orderId": pacts.uuid(ORDER_ID),
                    "customer": {
                        "email": match.regex("ada@example.com", regex=r"^[^@\s]+@[^@\s]+$"),
                        "name": match.str("Ada Lovelace"),
                    },
                    "amount": pacts.money("25.00", "EUR"),
                    "paymentMethod": {"type": "card", "token": match.str(CARD_SUCCESS)},
                    "items": match.each_like(
                        {
                            "productId": match.str(PRODUCT_ID),
                            "quantity": match.int(2),
                            "unitPrice": pacts.money("12.50", "EUR"),
                        },
                        min=1,
                    ),
                },
            },
            "application/json",
        )
        .with_metadata(
            {
                "contentType": "application/json",
                "messageId": pacts.uuid(ORDER_ID),
                "subject": "PaymentRequested",
                "type": "PaymentRequested",
                "version": 1,
                "traceparent": pacts.traceparent(),
            }
        )
    )
    return pact


class RecordingPublisher:
    """The Publisher port, keeping what the processor publishes (the outbound side of this consumer)."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    async def publish(self, message: dict[str, Any], *, traceparent: str | None) -> None:
        self.published.append(message)


def inbound(body: str | bytes | None, metadata: dict[str, Any]) -> Inbound:
    """The message as the Service Bus adapter hands it to the handler (``servicebus.to_inbound``):
    application properties as text, the body's data sections joined."""
    raw = body.encode() if isinstance(body, str) else body
    properties: dict[str, str] = {
        key: str(metadata[key]) for key in ("type", "version", "traceparent") if key in metadata
    }
    return Inbound(
        message_id=str(metadata["messageId"]),
        body=raw,
        properties=properties,
        correlation_id=None,
        delivery_count=1,
    )


async def consume(message: Inbound, connection_string: str, gateway_state: Path) -> None:
    ledger = TableLedger.connect(
        f"payments{uuid.uuid4().hex[:12]}", connection_string=connection_string, endpoint=None
    )
    try:
        await ledger.ensure_table()
        publisher = RecordingPublisher()
        processor = PaymentProcessor(
            ledger,
            SimulatedGateway(gateway_state, "sk_test_contract", fraud_review_seconds=0),
            publisher,
            RetryPolicy(max_attempts=1),
        )
        handler = PaymentRequestHandler(Contracts(pacts.MESSAGE_SCHEMAS), processor, WorkerMetrics())

        settlement = await handler(message)

        assert settlement.action == "complete", f"settled {settlement}"
        request = json.loads(message.body or b"")
        [outcome] = publisher.published
        assert outcome["type"] == "PaymentSucceeded", outcome
        assert outcome["data"]["orderId"] == request["data"]["orderId"]
        assert outcome["data"]["amount"] == request["data"]["amount"]
        row = await ledger.get(request["data"]["orderId"])
        assert row is not None
        assert row.state is PaymentState.PUBLISHED
    finally:
        await ledger.close()


def test_payment_handles_payment_requested_from_order(tables_connection_string: str, tmp_path: Path) -> None:
    pact = payment_requested_pact()

    def handle(body: str | bytes | None, metadata: dict[str, Any]) -> None:
        # The Pact core hands the body over as its own string type: bytes or text, as on the wire.
        text = body if body is None or isinstance(body, bytes) else str(body)
        asyncio.run(consume(inbound(text, metadata), tables_connection_string, tmp_path / "gateway.db"))

    pact.verify(handle, "Async")
    pacts.write_pact(pact)
