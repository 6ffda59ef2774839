"""One raw conversation with an HTTP server, below any client library: what the limit tests (body size,
slow request heads, slow bodies) send byte by byte, and what the server answers until it closes the
connection, with how long that took."""

from __future__ import annotations

import asyncio
import socket
import time


def converse(port: int, sent: bytes, *, timeout: float = 10.0) -> tuple[bytes, float]:
    """For a server in another process or thread: sends ``sent`` and reads until the server closes."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(sent)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    return answer, time.monotonic() - started


async def converse_async(port: int, sent: bytes) -> tuple[bytes, float]:
    """The same for a server on the test's own event loop (a blocking socket would stall it); gives up
    after 5 s."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(sent)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=5.0)
    writer.close()
    return answer, time.monotonic() - started
