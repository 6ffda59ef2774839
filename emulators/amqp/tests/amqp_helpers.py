"""Shared factories for the amqp-core tests: a scriptable raw AMQP client and a small queue application."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

from amqp_core.application import Application, LinkHandler
from amqp_core.connection import Settings
from amqp_core.errors import Condition, LinkError
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
from amqp_core.link import IncomingDelivery, IncomingLink, Link, OutgoingDelivery, OutgoingLink
from amqp_core.management import Request, RequestResponseNode, node_path
from amqp_core.message import AmqpValue, Message
from amqp_core.performatives import (
    ROLE_RECEIVER,
    ROLE_SENDER,
    AmqpError,
    Attach,
    Begin,
    DeliveryState,
    Open,
    Record,
    Source,
    Target,
)
from amqp_core.server import AmqpServer

CONNECTION_STRING = (
    "Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
    "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
)


class QueueNode(LinkHandler):
    """An in-memory queue: stores what senders send, hands it to receivers as their credit allows."""

    def __init__(self, app: QueueApp) -> None:
        self.app = app
        self.messages: list[bytes] = []
        self.receivers: list[OutgoingLink] = []

    async def on_message(self, link: IncomingLink, delivery: IncomingDelivery) -> None:
        self.app.received.append(delivery)
        if self.app.defer_settlement:
            return
        self.messages.append(delivery.payload)
        delivery.settle_accepted()
        for receiver in list(self.receivers):
            self.push(receiver)

    def push(self, link: OutgoingLink) -> None:
        while self.messages and link.credit > 0 and link.attached:
            link.send(self.messages.pop(0), tag=uuid.uuid4().bytes_le)

    async def on_credit(self, link: OutgoingLink) -> None:
        if link not in self.receivers:
            self.receivers.append(link)
        self.push(link)

    async def on_disposition(
        self, link: OutgoingLink, delivery: OutgoingDelivery, state: DeliveryState | None, settled: bool
    ) -> DeliveryState | None:
        self.app.dispositions.append((delivery.tag, state, settled))
        return None

    async def on_detach(self, link: Link, error: AmqpError | None) -> None:
        self.app.detached.append((link.name, error))
        if link in self.receivers:
            self.receivers.remove(link)  # type: ignore[arg-type]


async def echo_status(request: Request) -> Message:
    return Message(
        application_properties={"status-code": 202, "status-description": "OK", "echo": request.operation},
        body=AmqpValue(None),
    )


class QueueApp(Application):
    """Serves ``$cbs``/``$management`` as request/response nodes and any other address as a queue."""

    def __init__(self, *, plain_password: str | None = None) -> None:
        self.plain_password = plain_password
        self.queues: dict[str, QueueNode] = {}
        self.received: list[IncomingDelivery] = []
        self.dispositions: list[tuple[bytes, DeliveryState | None, bool]] = []
        self.detached: list[tuple[str, AmqpError | None]] = []
        self.closed: list[AmqpError | None] = []
        self.defer_settlement = False

    async def authenticate(self, credentials: Any) -> bool:
        if credentials.mechanism == "PLAIN":
            return bool(credentials.password == self.plain_password)
        return True

    async def on_link_attach(self, link: Link) -> LinkHandler:
        path = node_path(link.address)
        if path.endswith(("$cbs", "$management")):
            return RequestResponseNode.for_link(link, echo_status).attach(link)
        if path.startswith("missing"):
            raise LinkError(Condition.NOT_FOUND, f"no entity {path}")
        link.max_message_size = 1 << 20
        return self.queues.setdefault(path, QueueNode(self))

    async def on_connection_close(self, connection: Any, error: AmqpError | None) -> None:
        self.closed.append(error)


@contextlib.asynccontextmanager
async def running_server(app: Application | None = None, **settings: Any) -> AsyncIterator[AmqpServer]:
    server = AmqpServer(app or QueueApp(), Settings(**settings))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


class RawClient:
    """A minimal AMQP client over a real socket, for driving the server frame by frame."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int) -> RawClient:
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
        self, *, sasl: bool = False, idle_time_out: int | None = None, max_frame_size: int = 1 << 20
    ) -> Open:
        if sasl:
            self.send_raw(SASL_HEADER)
        self.send_raw(AMQP_HEADER)
        assert await self.read_header() == AMQP_HEADER
        self.send(Open(container_id="raw-client", max_frame_size=max_frame_size, idle_time_out=idle_time_out))
        opened: Open = await self.expect(Open)
        return opened

    async def begin(self, channel: int = 0) -> Begin:
        self.send(Begin(next_outgoing_id=0, incoming_window=1000, outgoing_window=1000), channel)
        begun: Begin = await self.expect(Begin)
        return begun

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

    async def closed_by_server(self, wait_s: float = 5.0) -> bool:
        """True once the server hung up (EOF)."""
        try:
            while True:
                data = await asyncio.wait_for(self.reader.read(65536), wait_s)
                if not data:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()
