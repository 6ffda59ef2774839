"""Shared factories for the amqp-core tests: a small queue application and a server running it.

The raw AMQP client that drives the server frame by frame is `emulator_common.raw_amqp.RawAmqpClient`,
shared with the emulators' tests.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

from amqp_core.application import Application, LinkHandler
from amqp_core.connection import Settings
from amqp_core.errors import Condition, LinkError
from amqp_core.link import IncomingDelivery, IncomingLink, Link, OutgoingDelivery, OutgoingLink
from amqp_core.management import Request, RequestResponseNode, node_path
from amqp_core.message import AmqpValue, Message
from amqp_core.performatives import (
    AmqpError,
    DeliveryState,
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
