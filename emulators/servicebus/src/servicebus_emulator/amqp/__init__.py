"""The Service Bus emulator's AMQP wire layer, on `amqp_core`.

`serve(context)` listens on ``context.host:port`` and returns a listener with ``port`` and ``close()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from amqp_core.connection import Settings
from amqp_core.server import AmqpServer
from emulator_common.faults import FaultRegistry
from emulator_common.sas import SasValidator

from servicebus_emulator.amqp.application import ServiceBusApplication
from servicebus_emulator.provider import ServiceBusProvider

__all__ = ["AmqpContext", "AmqpListener", "serve"]

CONTAINER_ID = "servicebus-emulator"


@dataclass(frozen=True, slots=True)
class AmqpContext:
    """Everything the AMQP listener needs from the rest of the emulator."""

    provider: ServiceBusProvider
    faults: FaultRegistry
    sas: SasValidator
    host: str
    port: int


class AmqpListener:
    def __init__(self, server: AmqpServer) -> None:
        self._server = server
        self.port = server.port

    @property
    def connections(self) -> int:
        return len(self._server.connections)

    async def close(self) -> None:
        await self._server.stop()


async def serve(context: AmqpContext) -> AmqpListener:
    application = ServiceBusApplication(context.provider, context.faults, context.sas)
    server = AmqpServer(
        application, Settings(container_id=CONTAINER_ID), host=context.host, port=context.port
    )
    await server.start()
    return AmqpListener(server)
