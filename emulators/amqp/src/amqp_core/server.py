"""The listening server: accepts TCP connections and runs each as a :class:`Connection`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType

from amqp_core.application import Application
from amqp_core.connection import Connection, Settings
from amqp_core.errors import Condition
from amqp_core.performatives import AmqpError

__all__ = ["AmqpServer"]

_LOG = logging.getLogger("amqp_core.server")


class AmqpServer:
    """Serve ``application`` over plain AMQP 1.0 (no TLS) on ``host:port`` (port 0: any free port)."""

    def __init__(
        self,
        application: Application,
        settings: Settings | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        backlog: int = 4096,
    ) -> None:
        self.application = application
        self.settings = settings or Settings()
        self.host = host
        self._requested_port = port
        self._backlog = backlog
        self._server: asyncio.Server | None = None
        self.connections: set[Connection] = set()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, self._requested_port, backlog=self._backlog
        )
        _LOG.info("amqp server listening", extra={"host": self.host, "port": self.port})

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = Connection(reader, writer, self.application, self.settings)
        self.connections.add(connection)
        try:
            await connection.run()
        finally:
            self.connections.discard(connection)

    async def stop(self) -> None:
        """Stop listening, close every connection (amqp:connection:forced) and wait for them."""
        if self._server is None:
            return
        self._server.close()
        shutdown = AmqpError(condition=Condition.CONNECTION_FORCED, description="server shutting down")
        for connection in list(self.connections):
            connection.shutdown(shutdown)
        waits = [connection.closed.wait() for connection in list(self.connections)]
        if waits:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.close_timeout + 1):
                    await asyncio.gather(*waits)
        await self._server.wait_closed()
        self._server = None
        _LOG.info("amqp server stopped")

    async def close(self) -> None:
        """`stop`, under the name the emulators' other servers (admin HTTP, SMTP) use."""
        await self.stop()

    async def __aenter__(self) -> AmqpServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
