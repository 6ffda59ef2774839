"""An asyncio stream pair over memory: the reader holds the input bytes, the writer collects the output.

Lets a real `amqp_core.connection.Connection` run against fuzzed bytes thousands of times a second,
without sockets. The transport implements what `asyncio.StreamWriter` and the connection call.
"""

from __future__ import annotations

import asyncio
from typing import Any


class MemoryTransport(asyncio.Transport):
    """Collects written bytes; closing it tells the protocol the connection is lost, as a socket does."""

    def __init__(self, protocol: asyncio.BaseProtocol, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.written = bytearray()
        self._protocol = protocol
        self._loop = loop
        self._closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._closing:
            self.written += data

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._loop.call_soon(self._protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


def memory_stream(data: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, MemoryTransport]:
    """A reader that yields ``data`` then end of file, and a writer into a `MemoryTransport`."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 22)
    protocol = asyncio.StreamReaderProtocol(reader)
    transport = MemoryTransport(protocol, loop)
    protocol.connection_made(transport)
    reader.feed_data(data)
    reader.feed_eof()
    writer = asyncio.StreamWriter(transport, protocol, reader, loop)
    return reader, writer, transport
