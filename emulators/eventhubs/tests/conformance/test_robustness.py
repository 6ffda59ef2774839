"""Bad peers close only their own connection: garbage bytes, a half-sent frame, a client that vanishes."""

import asyncio
import contextlib
import socket

from azure.eventhub import EventData
from azure.eventhub.aio import EventHubConsumerClient, EventHubProducerClient
from emulator_common.testing import close_receiving

AMQP_HEADER = b"AMQP\x00\x01\x00\x00"


def garbage(port: int, payload: bytes) -> bytes:
    """Send ``payload`` on a fresh connection; whatever the server answered before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(payload)
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(4096):
                answer += chunk
    return answer


def vanish(port: int) -> None:
    """Start a frame and hang up with a reset, as a crashed client would."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(AMQP_HEADER + b"\x00\x00\x01\x00\x02\x00")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()


async def test_garbage_and_vanished_clients_do_not_disturb_a_reader(emulator) -> None:
    cs = emulator.connection_string()
    received: list[EventData] = []
    arrived = asyncio.Event()

    async def on_event(context, event) -> None:
        received.append(event)
        arrived.set()

    consumer = EventHubConsumerClient.from_connection_string(cs, "$Default")
    task = asyncio.create_task(consumer.receive(on_event, partition_id="1", starting_position="@latest"))
    try:
        await asyncio.sleep(2)
        answer = await asyncio.to_thread(garbage, emulator.amqp_port, b"GET / HTTP/1.1\r\n\r\n")
        assert answer.startswith(b"AMQP")  # the server names the protocol it speaks, then hangs up
        await asyncio.to_thread(garbage, emulator.amqp_port, AMQP_HEADER + b"\xff" * 64)
        await asyncio.to_thread(vanish, emulator.amqp_port)
        async with EventHubProducerClient.from_connection_string(cs) as producer:
            await producer.send_batch([EventData("still-served")], partition_id="1")
        await asyncio.wait_for(arrived.wait(), 15)
    finally:
        await close_receiving(consumer, task)
    assert [e.body_as_str() for e in received] == ["still-served"]
    assert emulator.process.poll() is None
