"""A loopback TCP proxy that records, per connection, every byte the client sent."""

from __future__ import annotations

import asyncio
import contextlib


class RecordingProxy:
    """Listens on 127.0.0.1 (a free port) and forwards each connection to ``127.0.0.1:upstream_port``."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.streams: list[bytearray] = []
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "proxy not started"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        recorded = bytearray()
        self.streams.append(recorded)
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        await asyncio.gather(
            _pump(client_reader, upstream_writer, recorded),
            _pump(upstream_reader, client_writer, None),
        )


async def _pump(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, recorded: bytearray | None
) -> None:
    with contextlib.suppress(OSError):
        while chunk := await reader.read(65_536):
            if recorded is not None:
                recorded += chunk
            writer.write(chunk)
            await writer.drain()
    with contextlib.suppress(OSError):
        writer.close()
