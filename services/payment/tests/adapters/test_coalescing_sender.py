"""Outcomes published at once by many tasks, through the Service Bus emulator: each arrives once, with its
own id, properties and body, in fewer sends than messages; a failed send fails every publisher in it."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from azure.servicebus import ServiceBusMessage
from azure.servicebus.exceptions import MessageSizeExceededError
from payment_service.adapters.servicebus import ServiceBus
from shopctl.testing import LaunchedPlatform

from ..conftest import TRACEPARENT, Bus, servicebus_connection_string


def outcome(order_id: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": "PaymentSucceeded",
        "version": 1,
        "correlationId": order_id,
        "data": {"orderId": order_id},
    }


async def test_concurrent_publishes_arrive_once_each_in_fewer_sends(
    platform: LaunchedPlatform, bus: Bus
) -> None:
    orders = [f"ord_{uuid.uuid4().hex[:10]}" for _ in range(30)]
    envelopes = {order: outcome(order) for order in orders}
    service_bus = ServiceBus.connect(connection_string=servicebus_connection_string(platform), namespace=None)
    try:
        await service_bus.ping("payment-events")
        await asyncio.gather(
            *(
                service_bus.publish("payment-events", envelope, traceparent=TRACEPARENT)
                for envelope in envelopes.values()
            )
        )
        sends = service_bus.outbox("payment-events").sends
    finally:
        await service_bus.close()

    received = await bus.wait_outcomes(set(orders), settle=0.5)

    assert 1 <= sends < len(orders)
    for order, messages in received.items():
        [message] = messages
        assert json.loads(b"".join(message.body)) == envelopes[order]
        assert str(message.message_id) == envelopes[order]["id"]
        properties = {_text(k): _text(v) for k, v in (message.application_properties or {}).items()}
        assert properties["type"] == "PaymentSucceeded"
        assert properties["traceparent"] == TRACEPARENT


async def test_a_failed_send_fails_every_publisher_waiting_on_it(platform: LaunchedPlatform) -> None:
    service_bus = ServiceBus.connect(connection_string=servicebus_connection_string(platform), namespace=None)
    outbox = service_bus.outbox("payment-events")
    await service_bus.close()  # the sender is shut down: its next send raises

    sends = asyncio.gather(*(outbox.send(ServiceBusMessage(b"{}")) for _ in range(5)), return_exceptions=True)
    results = await asyncio.wait_for(sends, 10)  # a publisher left waiting would hang the worker's task

    assert len(results) == 5
    assert all(isinstance(result, Exception) for result in results), results


async def test_a_message_too_large_for_any_batch_fails_alone(platform: LaunchedPlatform, bus: Bus) -> None:
    order = f"ord_{uuid.uuid4().hex[:10]}"
    envelope = outcome(order)
    service_bus = ServiceBus.connect(connection_string=servicebus_connection_string(platform), namespace=None)
    try:
        outbox = service_bus.outbox("payment-events")
        huge = outbox.send(ServiceBusMessage(b"x" * (2 * 1024 * 1024)))
        fitting = service_bus.publish("payment-events", envelope, traceparent=None)
        results = await asyncio.wait_for(asyncio.gather(huge, fitting, return_exceptions=True), 10)
    finally:
        await service_bus.close()

    assert isinstance(results[0], MessageSizeExceededError)
    assert results[1] is None
    [message] = (await bus.wait_outcomes({order}))[order]
    assert str(message.message_id) == envelope["id"]


async def test_a_lone_message_too_large_fails_and_the_sender_goes_on(
    platform: LaunchedPlatform, bus: Bus
) -> None:
    # Alone, a message is sent as itself rather than in a batch: the size check must still answer.
    order = f"ord_{uuid.uuid4().hex[:10]}"
    envelope = outcome(order)
    service_bus = ServiceBus.connect(connection_string=servicebus_connection_string(platform), namespace=None)
    try:
        outbox = service_bus.outbox("payment-events")
        with pytest.raises(MessageSizeExceededError):
            await asyncio.wait_for(outbox.send(ServiceBusMessage(b"x" * (2 * 1024 * 1024))), 10)
        await asyncio.wait_for(service_bus.publish("payment-events", envelope, traceparent=None), 10)
        assert outbox.sends == 1
    finally:
        await service_bus.close()

    [message] = (await bus.wait_outcomes({order}))[order]
    assert str(message.message_id) == envelope["id"]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
