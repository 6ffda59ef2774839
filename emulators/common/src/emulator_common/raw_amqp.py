"""A minimal AMQP 1.0 client over a real socket, for tests that drive a server frame by frame.

It sends what no SDK would (garbage, truncated frames, links without tokens) and reads back exactly the
performatives the server answers with. Built on `amqp_core`'s codec and framing; no state machine, no
flow control beyond what a test asks for.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import Any

from amqp_core.framing import (
    AMQP_HEADER,
    FRAME_AMQP,
    HEADER_SIZE,
    SASL_HEADER,
    Frame,
    decode_frame_body,
    encode_frame,
    parse_frame_header,
)
from amqp_core.message import AmqpValue, Message, Properties, decode_message, encode_message
from amqp_core.performatives import (
    ROLE_RECEIVER,
    ROLE_SENDER,
    Attach,
    Begin,
    Flow,
    Open,
    Record,
    Source,
    Target,
    Transfer,
)

from emulator_common.composition import EMULATOR_KEYS
from emulator_common.sas import generate_sas_token

__all__ = ["RawAmqpClient"]

_CBS_SENDER, _CBS_RECEIVER = 100, 101


class RawAmqpClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int) -> RawAmqpClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    def send_raw(self, data: bytes) -> None:
        self.writer.write(data)

    def send(
        self, body: Record | None, channel: int = 0, payload: bytes = b"", frame_type: int = FRAME_AMQP
    ) -> None:
        self.writer.write(encode_frame(frame_type, channel, body, payload))

    async def read_header(self) -> bytes:
        return await asyncio.wait_for(self.reader.readexactly(8), 5)

    async def read_frame(self, wait_s: float = 5.0) -> Frame:
        header = await asyncio.wait_for(self.reader.readexactly(HEADER_SIZE), wait_s)
        size, offset, frame_type, channel = parse_frame_header(header, 1 << 24)
        body = await asyncio.wait_for(self.reader.readexactly(size - HEADER_SIZE), wait_s)
        return decode_frame_body(frame_type, channel, body[offset - HEADER_SIZE :])

    async def expect(self, kind: type, wait_s: float = 5.0) -> Any:
        """Read frames until one of ``kind`` arrives (heartbeats and others in between are skipped)."""
        while True:
            frame = await self.read_frame(wait_s)
            if isinstance(frame.body, kind):
                return frame.body

    async def open(
        self,
        *,
        sasl: bool = False,
        idle_time_out: int | None = None,
        max_frame_size: int = 1 << 20,
        container_id: str = "raw-client",
    ) -> Open:
        if sasl:
            self.send_raw(SASL_HEADER)
        self.send_raw(AMQP_HEADER)
        assert await self.read_header() == AMQP_HEADER
        self.send(Open(container_id=container_id, max_frame_size=max_frame_size, idle_time_out=idle_time_out))
        opened: Open = await self.expect(Open)
        return opened

    async def begin(self, channel: int = 0) -> Begin:
        self.send(Begin(next_outgoing_id=0, incoming_window=1000, outgoing_window=1000), channel)
        begun: Begin = await self.expect(Begin)
        return begun

    async def open_session(self) -> None:
        """Header, open (with a container id of its own) and one session on channel 0."""
        await self.open(container_id=f"raw-{uuid.uuid4()}")
        await self.begin()

    async def attach_sender(self, address: str, handle: int = 0, name: str | None = None) -> Attach:
        self.send(
            Attach(
                name=name or f"sender-{handle}",
                handle=handle,
                role=ROLE_SENDER,
                source=Source(address="client"),
                target=Target(address=address),
                initial_delivery_count=0,
            )
        )
        attached: Attach = await self.expect(Attach)
        return attached

    async def attach_receiver(
        self, address: str, handle: int = 1, rcv_settle_mode: int = 0, name: str | None = None
    ) -> Attach:
        self.send(
            Attach(
                name=name or f"receiver-{handle}",
                handle=handle,
                role=ROLE_RECEIVER,
                rcv_settle_mode=rcv_settle_mode,
                source=Source(address=address),
                target=Target(address="client"),
            )
        )
        attached: Attach = await self.expect(Attach)
        return attached

    async def put_token(self, audience: str) -> Message:
        """A `$cbs` put-token with the emulators' well-known key, as the Python SDK sends it (no
        reply-to); the reply (``status-code`` in its application properties). Uses link handles 100
        and 101."""
        await self.attach_sender("$cbs", _CBS_SENDER, name="cbs-out")
        await self.attach_receiver("$cbs", _CBS_RECEIVER, name="cbs-in")
        self.send(
            Flow(
                next_incoming_id=0,
                incoming_window=1000,
                next_outgoing_id=0,
                outgoing_window=1000,
                handle=_CBS_RECEIVER,
                delivery_count=0,
                link_credit=10,
            )
        )
        [(key_name, key)] = EMULATOR_KEYS.items()
        token = generate_sas_token(audience, key_name, key, int(time.time()) + 600)
        request = Message(
            properties=Properties(message_id="put-1"),
            application_properties={"operation": "put-token", "type": "jwt", "name": audience},
            body=AmqpValue(token),
        )
        self.send(
            Transfer(handle=_CBS_SENDER, delivery_id=0, delivery_tag=b"cbs", message_format=0, settled=True),
            payload=encode_message(request),
        )
        while True:
            frame = await self.read_frame()
            if isinstance(frame.body, Transfer):
                return decode_message(frame.payload)

    async def closed_by_server(self, wait_s: float = 5.0) -> bool:
        """True once the server hung up (EOF or reset)."""
        try:
            while True:
                data = await asyncio.wait_for(self.reader.read(65536), wait_s)
                if not data:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True

    def vanish(self) -> None:
        """Drop the TCP connection without a word, like a client whose host died."""
        self.writer.transport.abort()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()
