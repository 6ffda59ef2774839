"""The Service Bus emulator's AMQP wire layer, on `amqp_core`.

`serve(context)` is the seam `servicebus_emulator.app` starts: it listens on ``context.host:port`` and
returns a listener with ``port`` and ``close()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amqp_core.connection import Settings
from amqp_core.server import AmqpServer

from servicebus_emulator.amqp.application import ServiceBusApplication

if TYPE_CHECKING:
    from servicebus_emulator.app import AmqpContext

__all__ = ["AmqpListener", "serve"]

CONTAINER_ID = "servicebus-emulator"


class AmqpListener:
    def __init__(self, server: AmqpServer) -> None:
        self._server = server
        self.port = server.port

    async def close(self) -> None:
        await self._server.stop()


async def serve(context: AmqpContext) -> AmqpListener:
    application = ServiceBusApplication(context.provider, context.faults, context.sas)
    server = AmqpServer(
        application, Settings(container_id=CONTAINER_ID), host=context.host, port=context.port
    )
    await server.start()
    return AmqpListener(server)
