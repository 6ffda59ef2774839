"""The Service Bus emulator keeps serving everyone else when one client misbehaves.

A raw AMQP client (built on `amqp_core`'s codec) sends what no SDK would; the official async SDK,
on the same emulator, checks that the others are still served.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from amqp_core.errors import Condition
from amqp_core.framing import FRAME_AMQP, encode_frame
from amqp_core.message import Data, Message, encode_message
from amqp_core.performatives import Begin, Close, Disposition, Flow, Rejected, Transfer
from azure.servicebus import ServiceBusMessage, ServiceBusReceiveMode
from azure.servicebus.aio import ServiceBusClient
from emulator_common.raw_amqp import RawAmqpClient
from servicebus_emulator.app import Emulator, EmulatorOptions
from servicebus_emulator.model import NamespaceSettings, QueueSettings

from ..conftest import connection_string

QUEUE = "robust"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    settings = NamespaceSettings(name="sbemulatorns", queues=(QueueSettings(QUEUE),))
    running = Emulator(settings, EmulatorOptions(amqp_port=0, http_port=0))
    await running.start()
    try:
        yield running
    finally:
        await running.close()


async def _authorized_sender(port: int) -> RawAmqpClient:
    """A raw client with a namespace token and a sender link (handle 2) on the queue, with credit."""
    client = await RawAmqpClient.connect(port)
    await client.open_session()
    await client.put_token(f"sb://127.0.0.1:{port}")
    await client.attach_sender(QUEUE, handle=2)
    await client.expect(Flow)
    return client


def _message(body: str) -> bytes:
    return encode_message(Message(body=Data([body.encode()])))


async def _round_trip(port: int, body: str) -> None:
    """An official SDK client sends and receives on the same emulator."""
    async with ServiceBusClient.from_connection_string(connection_string(port)) as client:
        async with client.get_queue_sender(QUEUE) as sender:
            await sender.send_messages(ServiceBusMessage(body))
        mode = ServiceBusReceiveMode.RECEIVE_AND_DELETE
        async with client.get_queue_receiver(QUEUE, receive_mode=mode) as receiver:
            received = await receiver.receive_messages(max_message_count=10, max_wait_time=5)
    assert [str(message) for message in received] == [body]


async def test_garbage_bytes_close_only_that_connection(emulator: Emulator) -> None:
    port = emulator.amqp_port
    assert port is not None
    bystander = await RawAmqpClient.connect(port)
    await bystander.open_session()
    garbage = await RawAmqpClient.connect(port)
    garbage.writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(range(256)))

    assert await garbage.closed_by_server()
    await _round_trip(port, "after garbage")
    await bystander.put_token(f"sb://127.0.0.1:{port}")  # the other connection still answers


async def test_malformed_frame_after_handshake_is_closed_with_decode_error(emulator: Emulator) -> None:
    port = emulator.amqp_port
    assert port is not None
    client = await RawAmqpClient.connect(port)
    await client.open_session()
    body = b"\x00\x53\x10\xd0\xff\xff\xff\xff"  # an open performative whose list claims 4 GiB
    client.writer.write((8 + len(body)).to_bytes(4, "big") + b"\x02\x00\x00\x00" + body)

    close: Close = await client.expect(Close)
    assert close.error is not None
    assert close.error.condition == Condition.DECODE_ERROR
    await _round_trip(port, "after a bad frame")


async def test_truncated_frame_then_hang_up_spares_the_others(emulator: Emulator) -> None:
    port = emulator.amqp_port
    assert port is not None
    client = await RawAmqpClient.connect(port)
    await client.open_session()
    frame = encode_frame(FRAME_AMQP, 0, Begin(next_outgoing_id=0, incoming_window=1, outgoing_window=1))
    client.writer.write(frame[: len(frame) // 2])
    await client.writer.drain()
    client.vanish()

    await _round_trip(port, "after a truncated frame")


async def test_client_vanishing_mid_transfer_loses_only_its_partial_message(emulator: Emulator) -> None:
    port = emulator.amqp_port
    assert port is not None
    client = await _authorized_sender(port)
    payload = _message("x" * 10_000)
    client.send(
        Transfer(handle=2, delivery_id=1, delivery_tag=b"half", message_format=0, more=True),
        payload=payload[:5_000],
    )
    await client.writer.drain()
    client.vanish()

    await _round_trip(port, "after a vanished client")
    assert emulator.provider is not None
    assert emulator.provider.counts(emulator.provider.resolve(QUEUE)).active == 0


async def test_poison_payload_is_rejected_and_the_link_keeps_working(emulator: Emulator) -> None:
    port = emulator.amqp_port
    assert port is not None
    client = await _authorized_sender(port)

    client.send(Transfer(handle=2, delivery_id=1, delivery_tag=b"bad", message_format=0), payload=b"\xa1\xff")
    rejected: Disposition = await client.expect(Disposition)
    client.send(
        Transfer(handle=2, delivery_id=2, delivery_tag=b"good", message_format=0), payload=_message("fine")
    )
    accepted: Disposition = await client.expect(Disposition)

    assert isinstance(rejected.state, Rejected)
    assert rejected.state.error is not None
    assert rejected.state.error.condition == Condition.DECODE_ERROR
    assert accepted.first == 2
    assert not isinstance(accepted.state, Rejected)
    assert emulator.provider is not None
    assert emulator.provider.counts(emulator.provider.resolve(QUEUE)).active == 1


async def test_a_thousand_concurrent_connections_are_served(emulator: Emulator) -> None:
    port = emulator.amqp_port
    assert port is not None
    clients = await asyncio.gather(*(RawAmqpClient.connect(port) for _ in range(1000)))
    try:
        await asyncio.gather(*(client.open_session() for client in clients))
        await _round_trip(port, "among a thousand")
    finally:
        for client in clients:
            client.vanish()
    await _round_trip(port, "after a thousand")
