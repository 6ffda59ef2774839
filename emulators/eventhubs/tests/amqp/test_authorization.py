"""Frame-level checks of the AMQP application, with a minimal client over a real socket."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from amqp_core.framing import (
    AMQP_HEADER,
    FRAME_AMQP,
    HEADER_SIZE,
    decode_frame_body,
    encode_frame,
    parse_frame_header,
)
from amqp_core.performatives import ROLE_SENDER, Attach, Begin, Detach, Open, Source, Target
from eventhubs_emulator.app import Emulator, EmulatorOptions


@pytest.fixture
async def emulator_in_process(factory) -> AsyncIterator[Emulator]:
    emulator = Emulator(factory.namespace(), EmulatorOptions(amqp_port=0, http_port=0), factory.clock)
    await emulator.start()
    yield emulator
    await emulator.close()


class Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def send(self, body: Any) -> None:
        self.writer.write(encode_frame(FRAME_AMQP, 0, body))

    async def expect(self, kind: type) -> Any:
        while True:
            header = await asyncio.wait_for(self.reader.readexactly(HEADER_SIZE), 5)
            size, offset, frame_type, channel = parse_frame_header(header, 1 << 24)
            body = await asyncio.wait_for(self.reader.readexactly(size - HEADER_SIZE), 5)
            frame = decode_frame_body(frame_type, channel, body[offset - HEADER_SIZE :])
            if isinstance(frame.body, kind):
                return frame.body


async def test_producer_link_without_cbs_token_is_refused(emulator_in_process: Emulator) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", emulator_in_process.amqp_port)
    client = Client(reader, writer)
    try:
        writer.write(AMQP_HEADER)
        assert await asyncio.wait_for(reader.readexactly(8), 5) == AMQP_HEADER
        client.send(Open(container_id="no-token"))
        await client.expect(Open)
        client.send(Begin(next_outgoing_id=0, incoming_window=100, outgoing_window=100))
        await client.expect(Begin)
        client.send(
            Attach(
                name="sender",
                handle=0,
                role=ROLE_SENDER,
                source=Source(address="client"),
                target=Target(address="order-events"),
                initial_delivery_count=0,
            )
        )
        answer = await client.expect(Attach)
        detach = await client.expect(Detach)
    finally:
        writer.close()
    assert answer.target is None
    assert detach.error is not None
    assert detach.error.condition == "amqp:unauthorized-access"
