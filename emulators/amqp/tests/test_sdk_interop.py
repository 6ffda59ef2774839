"""azure-servicebus (sync and async) against the core with a toy queue application."""

from __future__ import annotations

import asyncio

from amqp_helpers import CONNECTION_STRING, QueueApp, running_server
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient as AsyncServiceBusClient


async def test_sync_sdk_sends_batches_and_large_messages_and_completes_them() -> None:
    app = QueueApp()
    async with running_server(app) as server:
        connection_string = CONNECTION_STRING.format(port=server.port)

        def scenario() -> list[str]:
            with ServiceBusClient.from_connection_string(connection_string) as client:
                with client.get_queue_sender("orders") as sender:
                    sender.send_messages(ServiceBusMessage("one"))
                    sender.send_messages(ServiceBusMessage("two" * 50_000))
                with client.get_queue_receiver("orders", max_wait_time=2) as receiver:
                    received = receiver.receive_messages(max_message_count=2, max_wait_time=5)
                    for message in received:
                        receiver.complete_message(message)
                    return [str(message)[:3] for message in received]

        assert await asyncio.to_thread(scenario) == ["one", "two"]
        assert len(app.dispositions) == 2
        assert all(settled is False for _, _, settled in app.dispositions)


async def test_async_sdk_round_trips_a_message() -> None:
    async with running_server() as server:
        connection_string = CONNECTION_STRING.format(port=server.port)
        async with AsyncServiceBusClient.from_connection_string(connection_string) as client:
            async with client.get_queue_sender("orders") as sender:
                await sender.send_messages(ServiceBusMessage("hello", application_properties={"k": "v"}))
            async with client.get_queue_receiver("orders") as receiver:
                received = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
                assert [str(message) for message in received] == ["hello"]
                assert received[0].application_properties == {b"k": b"v"}
                await receiver.complete_message(received[0])
