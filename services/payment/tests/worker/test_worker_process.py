"""The real ``payment-worker`` process against the Service Bus emulator, Azurite and the gateway simulator."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from payment_service.adapters.gateway import (
    CARD_DECLINED,
    CARD_FRAUD_REVIEW,
    CARD_GATEWAY_TIMEOUT,
    CARD_INSUFFICIENT_FUNDS,
    CARD_SUCCESS,
    SimulatedGateway,
)
from payment_service.adapters.ledger import TableLedger
from payment_service.domain.models import FailureReason, Money, Payment, PaymentState
from referencing import Registry, Resource

from ..conftest import CONTRACTS, TRACEPARENT, Bus, payment_requested

pytestmark = pytest.mark.timeout(120)

PENDING = Payment("-", "-", PaymentState.CHARGING, Money(Decimal(0), "EUR"), "****", datetime.now(UTC))


def _registry() -> Registry[Any]:
    resources = []
    for file in CONTRACTS.glob("*.schema.json"):
        schema = json.loads(file.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


async def send_request(bus: Bus, card: str) -> tuple[dict[str, Any], str]:
    """Sends a new payment request paid with ``card``; returns the request and its order id."""
    request = payment_requested(card=card)
    await bus.send_request(request)
    return request, request["data"]["orderId"]


def assert_matches_contract(message: Any) -> dict[str, Any]:
    body = json.loads(b"".join(message.body))
    registry = _registry()
    schema = registry.contents(f"https://schemas.contoso-shop.example/messages/{body['type']}.v1.schema.json")
    Draft202012Validator(schema, registry=registry, format_checker=FormatChecker()).validate(body)
    properties = {
        k.decode(): v.decode() if isinstance(v, bytes) else v
        for k, v in message.application_properties.items()
    }
    assert properties["type"] == body["type"]
    assert str(properties["version"]) == "1"
    assert properties["traceparent"].split("-")[1] == TRACEPARENT.split("-")[1]
    assert str(message.message_id) == body["id"] == body["data"]["paymentId"]
    assert str(message.correlation_id) == body["data"]["orderId"]
    return body


def worker_metrics(worker: Any) -> str:
    """The worker's /metrics text (its ops endpoint listens on a free port, logged at start)."""
    listening = worker.wait_for(lambda e: e.get("event") == "listening")
    return httpx.get(f"http://127.0.0.1:{listening['port']}/metrics", timeout=5).text


@pytest.mark.parametrize(
    ("card", "expected_type", "reason"),
    [
        (CARD_SUCCESS, "PaymentSucceeded", None),
        (CARD_DECLINED, "PaymentFailed", "declined"),
        (CARD_INSUFFICIENT_FUNDS, "PaymentFailed", "insufficient_funds"),
    ],
)
async def test_worker_publishes_outcome_per_test_card(
    start_worker: Any, bus: Bus, ledger: TableLedger, card: str, expected_type: str, reason: str | None
) -> None:
    start_worker()
    _, order_id = await send_request(bus, card)

    outcomes = await bus.wait_outcomes({order_id})

    [message] = outcomes[order_id]
    body = assert_matches_contract(message)
    assert body["type"] == expected_type
    assert body["data"].get("reason") == reason
    payment = await ledger.get(order_id)
    assert payment is not None
    assert payment.state is PaymentState.PUBLISHED
    assert payment.payment_id == body["id"]
    assert payment.card_last4 == card[-4:]


async def test_worker_log_never_contains_the_card_number(start_worker: Any, bus: Bus) -> None:
    worker = start_worker()
    request = payment_requested(card=CARD_SUCCESS)
    await bus.send_request(request)
    await bus.wait_outcomes({request["data"]["orderId"]})
    entry = worker.wait_for(lambda e: e.get("message") == "payment request settled")
    assert entry["correlation_id"] == request["data"]["orderId"]
    assert entry["trace_id"] == TRACEPARENT.split("-")[1]
    assert CARD_SUCCESS not in worker.log_path.read_text()


async def test_worker_dead_letters_poison_messages_and_keeps_running(start_worker: Any, bus: Bus) -> None:
    worker = start_worker()
    schema_broken = payment_requested()
    schema_broken["data"]["amount"] = {"value": 59.97, "currency": "EUR"}
    unknown_version = payment_requested()
    unknown_version["version"] = 2
    await bus.send_raw(
        b"{not json", message_id="poison-json", properties={"type": "PaymentRequested", "version": 1}
    )
    unknown_type = payment_requested()
    await bus.send_request(schema_broken)
    await bus.send_request(unknown_type, type="RefundRequested")
    await bus.send_request(unknown_version)
    good = payment_requested()
    await bus.send_request(good)

    expected = {
        "poison-json": ("MalformedBody", "the body is not JSON"),
        schema_broken["data"]["orderId"]: ("SchemaViolation", "/data/amount/value: type"),
        unknown_type["data"]["orderId"]: ("UnknownMessageType", "type 'RefundRequested' version '1'"),
        unknown_version["data"]["orderId"]: ("UnknownMessageType", "version '2' is not handled here"),
    }
    dead = await bus.dead_letters(set(expected))

    assert expected.keys() <= dead.keys(), worker.log_path.read_text()[-4000:]
    for message_id, (reason, description) in expected.items():
        assert dead[message_id].dead_letter_reason == reason
        assert description in dead[message_id].dead_letter_error_description
    outcomes = await bus.wait_outcomes({good["data"]["orderId"]})
    assert len(outcomes[good["data"]["orderId"]]) == 1
    assert worker.process.poll() is None


async def test_gateway_timeout_retries_with_backoff_then_publishes_payment_failed(
    start_worker: Any, bus: Bus, ledger: TableLedger, gateway: SimulatedGateway
) -> None:
    worker = start_worker()
    _, order_id = await send_request(bus, CARD_GATEWAY_TIMEOUT)

    outcomes = await bus.wait_outcomes({order_id}, settle=2)

    worker_log = worker.log_path.read_text()[-4000:]
    [message] = outcomes[order_id]
    body = assert_matches_contract(message)
    assert body["type"] == "PaymentFailed", worker_log
    assert body["data"]["reason"] == "gateway_unavailable"
    assert body["data"]["retryable"] is True  # nobody judged the card: trying again may succeed
    payment = await ledger.get(order_id)
    assert payment is not None
    assert payment.state is PaymentState.PUBLISHED
    assert payment.failure_reason is FailureReason.GATEWAY_UNAVAILABLE
    assert payment.payment_id == body["id"]
    assert gateway.attempts(payment.payment_id) == ["timeout", "timeout", "timeout"], worker_log
    assert gateway.charges() == []
    # Completed, not dead-lettered: the outcome is decided and on the topic.
    settled = worker.wait_for(lambda e: e.get("message") == "payment request settled")
    assert settled["outcome"] == "gateway_unavailable"
    assert await bus.dead_letters({order_id}, within=3) == {}
    metrics = worker_metrics(worker)
    assert 'payment_outcomes_total{outcome="gateway_unavailable"} 1.0' in metrics
    assert 'payment_messages_total{settlement="complete"} 1.0' in metrics
    assert "payment_dead_letters_total{" not in metrics


async def test_redelivered_request_after_gateway_gave_up_publishes_the_same_failure_without_charging(
    start_worker: Any, bus: Bus, ledger: TableLedger, gateway: SimulatedGateway
) -> None:
    start_worker()
    request, order_id = await send_request(bus, CARD_GATEWAY_TIMEOUT)
    [first] = (await bus.wait_outcomes({order_id}))[order_id]
    payment = await ledger.get(order_id)
    assert payment is not None
    attempts = gateway.attempts(payment.payment_id)

    # The same request again (a resubmission, or a redelivery whose settlement was lost), under another
    # message id so that the queue's duplicate detection lets it through.
    await bus.send_raw(
        json.dumps(request).encode(),
        message_id=f"{order_id}-again",
        properties={"type": "PaymentRequested", "version": 1, "traceparent": TRACEPARENT},
    )
    await asyncio.sleep(3)
    outcomes = await bus.wait_outcomes({order_id}, within=5, settle=2)

    # Published already: nothing is re-decided, the gateway is not asked again, no second outcome.
    assert [str(m.message_id) for m in outcomes[order_id]] == [str(first.message_id)]
    assert gateway.attempts(payment.payment_id) == attempts
    assert (await ledger.get(order_id) or PENDING).state is PaymentState.PUBLISHED


async def test_fraud_review_longer_than_the_lock_is_charged_once_thanks_to_lock_renewal(
    start_worker: Any, bus: Bus, gateway: SimulatedGateway, ledger: TableLedger
) -> None:
    start_worker()
    _, order_id = await send_request(bus, CARD_FRAUD_REVIEW)

    outcomes = await bus.wait_outcomes({order_id}, within=40)

    [message] = outcomes[order_id]
    assert assert_matches_contract(message)["type"] == "PaymentSucceeded"
    payment = await ledger.get(order_id)
    assert payment is not None
    # A lost lock would have redelivered the message mid-review: a second ("replayed") gateway call.
    assert gateway.attempts(payment.payment_id) == ["charged"]


async def test_sigterm_stops_the_worker_cleanly(start_worker: Any) -> None:
    worker = start_worker()
    worker.wait_for(lambda e: e.get("event") == "listening")
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(timeout=15) == 0


async def test_sigterm_mid_payment_abandons_the_message_and_the_next_worker_charges_once(
    start_worker: Any, bus: Bus, gateway: SimulatedGateway, ledger: TableLedger
) -> None:
    first = start_worker(PAYMENT_SHUTDOWN_GRACE_SECONDS="1")
    _, order_id = await send_request(bus, CARD_FRAUD_REVIEW)
    first.wait_for(lambda e: e.get("message") == "payment request received")

    first.process.send_signal(signal.SIGTERM)

    assert first.process.wait(timeout=15) == 0
    assert any(e.get("message") == "abandoning a message still in progress at shutdown" for e in first.log())
    start_worker()
    outcomes = await bus.wait_outcomes({order_id}, within=40)
    assert [assert_matches_contract(m)["type"] for m in outcomes[order_id]] == ["PaymentSucceeded"]
    payment = await ledger.get(order_id)
    assert payment is not None
    assert gateway.attempts(payment.payment_id) == ["charged"]


@pytest.mark.parametrize(
    ("card", "expected_type", "reason"),
    [
        (CARD_SUCCESS, "PaymentSucceeded", None),
        (CARD_GATEWAY_TIMEOUT, "PaymentFailed", "gateway_unavailable"),
    ],
)
async def test_kill_at_every_step_never_charges_twice_and_still_publishes(
    start_worker: Any,
    bus: Bus,
    gateway: SimulatedGateway,
    ledger: TableLedger,
    card: str,
    expected_type: str,
    reason: str | None,
) -> None:
    points = ["charge", "record", "publish", "published"]
    requests = [payment_requested(card=card) for _ in points]
    orders = {r["data"]["orderId"] for r in requests}
    for request in requests:
        await bus.send_request(request)
    for point in points:
        # One message at a time: each crashing worker takes the next unlocked message and dies at its step.
        crashed = start_worker(PAYMENT_CRASH_AFTER=point, PAYMENT_WORKER_CONCURRENCY="1")
        assert crashed.process.wait(timeout=30) == -signal.SIGKILL
        assert crashed.wait_for(lambda e, p=point: e.get("step") == p)

    start_worker()  # takes over once the dead workers' locks expire
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        states = {(await ledger.get(order_id) or PENDING).state for order_id in orders}
        if states == {PaymentState.PUBLISHED}:
            break
        await asyncio.sleep(0.5)
    outcomes = await bus.wait_outcomes(orders, within=10, settle=2)

    charges = gateway.charges()
    assert len(charges) == (len(orders) if card == CARD_SUCCESS else 0)
    for order_id in orders:
        payment = await ledger.get(order_id)
        assert payment is not None
        assert payment.state is PaymentState.PUBLISHED
        assert [c.idempotency_key for c in charges].count(payment.payment_id) == (card == CARD_SUCCESS)
        # Re-publishing after a crash repeats the same message (same id); never a different outcome.
        assert {str(m.message_id) for m in outcomes[order_id]} == {payment.payment_id}
        bodies = [assert_matches_contract(m) for m in outcomes[order_id]]
        assert {(b["type"], b["data"].get("reason"), b["occurredAt"]) for b in bodies} == {
            (expected_type, reason, bodies[0]["occurredAt"])
        }
    assert await bus.dead_letters(orders, within=2) == {}


async def test_same_order_requested_again_for_another_amount_is_dead_lettered(
    start_worker: Any, bus: Bus
) -> None:
    start_worker()
    request = payment_requested()
    order_id = request["data"]["orderId"]
    await bus.send_request(request)
    await bus.wait_outcomes({order_id})
    changed = payment_requested(order_id=order_id)
    changed["data"]["amount"] = {"value": "10.00", "currency": "EUR"}

    # Another message id: the queue's duplicate detection would drop a second message with the order id.
    await bus.send_raw(
        json.dumps(changed).encode(),
        message_id=f"{order_id}-again",
        properties={"type": "PaymentRequested", "version": 1},
    )

    dead = await bus.dead_letters({f"{order_id}-again"})
    assert dead[f"{order_id}-again"].dead_letter_reason == "AmountMismatch"
