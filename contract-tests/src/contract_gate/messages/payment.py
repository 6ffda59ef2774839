"""payment's ``PaymentSucceeded`` / ``PaymentFailed``, produced by payment's real worker process.

The gate plays order's part of the saga: it sends a schema-valid ``PaymentRequested`` to the queue
``payment-requests`` of the launched Service Bus emulator, the running ``payment-worker`` charges the
gateway simulator, writes its ledger in Azurite, builds the outcome (``domain.messages.outcome_envelope``)
and maps it to a Service Bus message (``adapters.servicebus.ServiceBus.publish``), and the gate reads that
message from subscription ``payment-events/order-service`` exactly as order receives it. Body and wire
metadata (content type, message id, correlation id, subject, application properties) are the pact's
to check; nothing of payment is imported or imitated.

States (parameters) and what the gate sends:

- ``a payment succeeded for an order`` (``orderId``, ``amount``, ``currency``): a request for that order
  and amount, paid with the simulator's approving card;
- ``a payment failed for an order`` (the same and ``reason``: ``declined``, ``insufficient_funds``): the
  same with the card the simulator declines for that reason.

Without a state the description decides (``a PaymentFailed message`` → declined). An order id already
charged on this platform (the gate's own tests verify a pact more than once per launch) is replaced by
a fresh one: payment rightly publishes an order's outcome once, and the pact matches ids by format.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage
from pact.types import Message
from servicekit.contracts import Contracts

from contract_gate.messages import UnknownMessageError
from contract_gate.pacts import MESSAGE_SCHEMAS
from contract_gate.states import StateHandler

QUEUE = "payment-requests"
TOPIC = "payment-events"
SUBSCRIPTION = "order-service"
# The gateway simulator's test cards (payment_service.adapters.gateway).
CARDS = {
    "approved": "4242424242424242",
    "declined": "4000000000000002",
    "insufficient_funds": "4000000000009995",
}
DESCRIPTIONS = {"a PaymentSucceeded message": "approved", "a PaymentFailed message": "declined"}
RECEIVE_TIMEOUT_SECONDS = 30.0


def _text(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def wire_metadata(message: ServiceBusReceivedMessage) -> dict[str, Any]:
    """What a receiver sees besides the body, in the pact's metadata names."""
    metadata: dict[str, Any] = {
        "contentType": message.content_type,
        "messageId": None if message.message_id is None else str(message.message_id),
        "correlationId": None if message.correlation_id is None else str(message.correlation_id),
        "subject": message.subject,
    }
    for key, value in (message.application_properties or {}).items():
        metadata[str(_text(key))] = _text(value)
    return {key: value for key, value in metadata.items() if value is not None}


@dataclass(frozen=True)
class Request:
    """The ``PaymentRequested`` the gate sends for one interaction."""

    order_id: str
    amount: str
    currency: str
    outcome: str

    @classmethod
    def of(cls, params: dict[str, Any], outcome: str) -> Request:
        return cls(
            order_id=str(params.get("orderId") or uuid.uuid4()),
            amount=str(params.get("amount", "25.00")),
            currency=str(params.get("currency", "EUR")),
            outcome=outcome,
        )


class PaymentMessages:
    def __init__(self, servicebus_connection_string: str) -> None:
        self._client = ServiceBusClient.from_connection_string(servicebus_connection_string)
        self._contracts = Contracts(MESSAGE_SCHEMAS)
        self._next: Request | None = None
        self._charged: set[str] = set()

    def state_handlers(self) -> dict[str, StateHandler]:
        return {
            "a payment succeeded for an order": self._succeeded,
            "a payment failed for an order": self._failed,
        }

    def _succeeded(self, params: dict[str, Any]) -> None:
        self._next = Request.of(params, "approved")

    def _failed(self, params: dict[str, Any]) -> None:
        reason = str(params.get("reason", "declined"))
        if reason not in CARDS or reason == "approved":
            raise ValueError(f"the gateway simulator cannot fail a payment with reason {reason!r}")
        self._next = Request.of(params, reason)

    def produce(self, description: str, request: dict[str, Any]) -> Message:
        planned, self._next = self._next, None
        if planned is None:
            outcome = DESCRIPTIONS.get(description)
            if outcome is None:
                raise UnknownMessageError("payment", description, sorted(DESCRIPTIONS))
            planned = Request.of({}, outcome)
        if planned.order_id in self._charged:
            planned = replace(planned, order_id=str(uuid.uuid4()))
        self._charged.add(planned.order_id)
        self._request_payment(planned)
        received = self._receive_outcome(planned.order_id)
        return Message(
            contents=b"".join(received.body),
            metadata=wire_metadata(received),
            content_type=received.content_type,
        )

    def _request_payment(self, planned: Request) -> None:
        order_id, amount = planned.order_id, {"value": planned.amount, "currency": planned.currency}
        envelope = {
            "id": str(uuid.uuid4()),
            "type": "PaymentRequested",
            "version": 1,
            "occurredAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "correlationId": order_id,
            "data": {
                "orderId": order_id,
                "customer": {"email": "contract-gate@example.com", "name": "Contract Gate"},
                "amount": amount,
                "paymentMethod": {"type": "card", "token": CARDS[planned.outcome]},
                "items": [{"productId": "contract-item", "quantity": 1, "unitPrice": amount}],
            },
        }
        violations = self._contracts.violations(envelope, "PaymentRequested", 1)
        if violations:  # the gate's own input must keep to the contract it checks
            raise ValueError(f"the gate's PaymentRequested breaks its schema: {violations}")
        with self._client.get_queue_sender(QUEUE) as sender:
            sender.send_messages(
                ServiceBusMessage(
                    json.dumps(envelope).encode(),
                    message_id=order_id,
                    correlation_id=order_id,
                    content_type="application/json",
                    subject="PaymentRequested",
                    application_properties={
                        "type": "PaymentRequested",
                        "version": 1,
                        "traceparent": f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01",
                    },
                )
            )

    def _receive_outcome(self, order_id: str) -> ServiceBusReceivedMessage:
        deadline = time.monotonic() + RECEIVE_TIMEOUT_SECONDS
        with self._client.get_subscription_receiver(TOPIC, SUBSCRIPTION) as receiver:
            while time.monotonic() < deadline:
                for message in receiver.receive_messages(max_message_count=10, max_wait_time=2):
                    receiver.complete_message(message)
                    if str(message.correlation_id) == order_id:
                        return message
        raise TimeoutError(
            f"payment-worker published no outcome for order {order_id} on {TOPIC}/{SUBSCRIPTION} "
            f"within {RECEIVE_TIMEOUT_SECONDS:.0f}s"
        )

    def close(self) -> None:
        self._client.close()
