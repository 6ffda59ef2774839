"""The Service Bus emulator keeps serving everyone else when one client misbehaves.

A raw AMQP client (built on `amqp_core`'s codec) sends what no SDK would; the official async SDK,
on the same emulator, checks that the others are still served.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from amqp_core.errors import Condition
from amqp_core.framing import (
    AMQP_HEADER,
    FRAME_AMQP,
    HEADER_SIZE,
    decode_frame_body,
    encode_frame,
    parse_frame_header,
)
from amqp_core.message import AmqpValue, Data, Message, Properties, encode_message
from amqp_core.performatives import (
    ROLE_RECEIVER,
    ROLE_SENDER,
    Attach,
    Begin,
    Close,
    Disposition,
    Flow,
    Open,
    Record,
    Rejected,
    Source,
    Target,
    Transfer,
)
from azure.servicebus import ServiceBusMessage, ServiceBusReceiveMode
from azure.servicebus.aio import ServiceBusClient
from emulator_common.sas import generate_sas_token
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


class RawClient:
    """Just enough AMQP to reach an entity and then misbehave."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int) -> RawClient:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    def send(self, body: Record | None, payload: bytes = b"") -> None:
        self.writer.write(encode_frame(FRAME_AMQP, 0, body, payload))

    async def expect(self, kind: type) -> Any:
        while True:
            header = await asyncio.wait_for(self.reader.readexactly(HEADER_SIZE), 5)
            size, offset, frame_type, channel = parse_frame_header(header, 1 << 24)
            body = await asyncio.wait_for(self.reader.readexactly(size - HEADER_SIZE), 5)
            frame = decode_frame_body(frame_type, channel, body[offset - HEADER_SIZE :])
            if isinstance(frame.body, kind):
                return frame.body

    async def open_session(self) -> None:
        self.writer.write(AMQP_HEADER)
        assert await asyncio.wait_for(self.reader.readexactly(8), 5) == AMQP_HEADER
        self.send(Open(container_id=f"raw-{uuid.uuid4()}"))
        await self.expect(Open)
        self.send(Begin(next_outgoing_id=0, incoming_window=1000, outgoing_window=1000))
        await self.expect(Begin)

    async def authorize(self, port: int) -> None:
        """A `$cbs` put-token for the namespace, as the Python SDK sends it (no reply-to)."""
        self._attach("cbs-out", 0, ROLE_SENDER, "$cbs")
        self._attach("cbs-in", 1, ROLE_RECEIVER, "$cbs")
        self.send(
            Flow(
                next_incoming_id=0,
                incoming_window=1000,
                next_outgoing_id=0,
                outgoing_window=1000,
                handle=1,
                delivery_count=0,
                link_credit=10,
            )
        )
        audience = f"sb://127.0.0.1:{port}"
        token = generate_sas_token(
            audience, "RootManageSharedAccessKey", "SAS_KEY_VALUE", int(time.time()) + 600
        )
        request = Message(
            properties=Properties(message_id="put-1"),
            application_properties={"operation": "put-token", "type": "jwt", "name": audience},
            body=AmqpValue(token),
        )
        self.send(
            Transfer(handle=0, delivery_id=0, delivery_tag=b"cbs", message_format=0, settled=True),
            encode_message(request),
        )
        reply = await self.expect(Transfer)
        assert reply.handle is not None

    def _attach(self, name: str, handle: int, role: bool, address: str) -> None:
        source, target = (Source(address=name), Target(address=address))
        if role == ROLE_RECEIVER:
            source, target = Source(address=address), Target(address=name)
        self.send(
            Attach(
                name=name, handle=handle, role=role, source=source, target=target, initial_delivery_count=0
            )
        )

    async def attach_sender(self, address: str, handle: int = 2) -> Attach:
        self._attach(f"sender-{handle}", handle, ROLE_SENDER, address)
        attached: Attach = await self.expect(Attach)
        await self.expect(Flow)
        return attached

    async def closed_by_server(self) -> bool:
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            while await asyncio.wait_for(self.reader.read(65536), 5):
                pass
        return True

    def vanish(self) -> None:
        self.writer.transport.abort()


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
    bystander = await RawClient.connect(port)
    await bystander.open_session()
    garbage = await RawClient.connect(port)
    garbage.writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(range(256)))

    assert await garbage.closed_by_server()
    await _round_trip(port, "after garbage")
    await bystander.authorize(port)  # the other connection still answers


async def test_malformed_frame_after_handshake_is_closed_with_decode_error(emulator: Emulator) -> None:
    port = emulator.amqp_port
    assert port is not None
    client = await RawClient.connect(port)
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
    client = await RawClient.connect(port)
    await client.open_session()
    frame = encode_frame(FRAME_AMQP, 0, Begin(next_outgoing_id=0, incoming_window=1, outgoing_window=1))
    client.writer.write(frame[: len(frame) // 2])
    await client.writer.drain()
    client.vanish()

    await _round_trip(port, "after a truncated frame")


async def test_client_vanishing_mid_transfer_loses_only_its_partial_message(emulator: Emulator) -> None:
    port = emulator.amqp_port
    assert port is not None
    client = await RawClient.connect(port)
    await client.open_session()
    await client.authorize(port)
    await client.attach_sender(QUEUE)
    payload = _message("x" * 10_000)
    client.send(
        Transfer(handle=2, delivery_id=1, delivery_tag=b"half", message_format=0, more=True), payload[:5_000]
    )
    await client.writer.drain()
    client.vanish()

    await _round_trip(port, "after a vanished client")
    assert emulator.provider is not None
    assert emulator.provider.counts(emulator.provider.resolve(QUEUE)).active == 0


async def test_poison_payload_is_rejected_and_the_link_keeps_working(emulator: Emulator) -> None:
    port = emulator.amqp_port
    assert port is not None
    client = await RawClient.connect(port)
    await client.open_session()
    await client.authorize(port)
    await client.attach_sender(QUEUE)

    client.send(Transfer(handle=2, delivery_id=1, delivery_tag=b"bad", message_format=0), b"\xa1\xff")
    rejected: Disposition = await client.expect(Disposition)
    client.send(Transfer(handle=2, delivery_id=2, delivery_tag=b"good", message_format=0), _message("fine"))
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
    clients = await asyncio.gather(*(RawClient.connect(port) for _ in range(1000)))
    try:
        await asyncio.gather(*(client.open_session() for client in clients))
        await _round_trip(port, "among a thousand")
    finally:
        for client in clients:
            client.vanish()
    await _round_trip(port, "after a thousand")
