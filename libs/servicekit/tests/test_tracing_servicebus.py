"""What a Service Bus receiver gets as ``traceparent`` once the azure-core plugin traces the sender: sent with
the official SDK through our emulator (free ports), inside a consumer span of this process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from azure.servicebus import ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from servicekit.tracing import (
    consumer_span,
    current_traceparent,
    message_trace_properties,
    received_traceparent,
)
from shopctl.testing import LaunchedPlatform, launched

QUEUE = "payment-requests"
PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture(scope="module")
def servicebus() -> Iterator[LaunchedPlatform]:
    with launched("servicebus") as platform:
        yield platform


@pytest.fixture
async def client(servicebus: LaunchedPlatform) -> AsyncIterator[ServiceBusClient]:
    connection = (
        f"Endpoint=sb://127.0.0.1:{servicebus.port('servicebus', 'amqp')};"
        "SharedAccessKeyName=RootManageSharedAccessKey;"
        "SharedAccessKey=SAS_KEY_VALUE;"  # pragma: allowlist secret
        "UseDevelopmentEmulator=true;"
    )
    async with ServiceBusClient.from_connection_string(connection) as opened:
        yield opened


async def _send_and_receive(client: ServiceBusClient, *properties: dict[Any, Any]) -> list[str]:
    """The ``traceparent`` each message arrived with, in sending order."""
    async with client.get_queue_sender(QUEUE) as sender:
        await sender.send_messages(
            [ServiceBusMessage(b"{}", application_properties=dict(each)) for each in properties]
        )
    received: list[str] = []
    async with client.get_queue_receiver(QUEUE, max_wait_time=5) as receiver:
        while len(received) < len(properties):
            messages = await receiver.receive_messages(max_message_count=len(properties), max_wait_time=5)
            assert messages, f"only {len(received)} of {len(properties)} messages arrived"
            for message in messages:
                await receiver.complete_message(message)
                traceparent = received_traceparent(message.application_properties)
                assert traceparent is not None
                received.append(traceparent)
    return received


async def test_only_bytes_keyed_trace_properties_survive_the_sdks_own(
    spans: InMemorySpanExporter, client: ServiceBusClient
) -> None:
    """message_trace_properties (bytes keys) arrives as sent; a str ``traceparent`` key is not seen by the
    SDK's setdefault, and the receiver gets the SDK's value instead (same trace, its own span)."""
    with consumer_span("order-events process", PARENT, system="eventhubs", destination="order-events"):
        sent = current_traceparent()
        ours, plain = await _send_and_receive(
            client,
            {"type": "PaymentRequested", **message_trace_properties()},
            {"type": "PaymentRequested", "traceparent": sent},
        )

    assert ours == sent
    assert plain != sent
    assert plain.split("-")[1] == sent.split("-")[1]
