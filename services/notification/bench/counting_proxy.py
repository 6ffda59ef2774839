"""A TCP forwarder in front of Azurite that counts the HTTP requests passing through it, by kind.

The bench puts one in front of Azurite's blob port and one in front of its table port, so the requests an
event costs (the log table's reads and writes, the Event Hubs SDK's checkpoint, ownership and listing
calls) are counted without Azurite's own debug log, which would cost Azurite CPU and skew its figure.
Request heads are read from the client's byte stream (HTTP/1.1, one request after another on a
connection, bodies framed by ``Content-Length``); answers are passed back untouched.
"""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

Classify = Callable[[str, str], str]


def classify(method: str, target: str) -> str:
    """A request's kind, as the bench reports it: which Table or Blob operation, on what."""
    url = urlsplit(target)
    query = parse_qs(url.query)
    path = url.path
    if "$batch" in path:
        return "table batch transaction"
    if "(" in path and "PartitionKey=" in path:
        return f"table {method} entity"
    if path.rstrip("/").endswith("Tables"):
        return f"table {method} table"
    if query.get("comp") == ["list"]:
        prefix = query.get("prefix", [""])[0]
        what = "ownership" if "ownership" in prefix else "checkpoint" if "checkpoint" in prefix else prefix
        return f"blob list {what}"
    for what in ("ownership", "checkpoint"):
        if f"/{what}/" in path:
            return f"blob {method} {what}{' metadata' if query.get('comp') == ['metadata'] else ''}"
    if query.get("restype") == ["container"]:
        return f"blob {method} container"
    if method == "POST" and path.count("/") <= 2:
        return "table POST insert"
    return f"{method} {path.split('/')[2] if path.count('/') >= 2 else path}"


class CountingProxy:
    """Forwards 127.0.0.1:<port> to ``upstream``; ``counts`` holds requests by kind."""

    def __init__(self, upstream_port: int, classify_request: Classify = classify) -> None:
        self._upstream = upstream_port
        self._classify = classify_request
        self.counts: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="counting-proxy", daemon=True)
        self.port = 0

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the counting proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def snapshot(self) -> collections.Counter[str]:
        with self._lock:
            return collections.Counter(self.counts)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self._upstream)
        except OSError:
            client_writer.close()
            return
        answers = asyncio.create_task(_pipe(upstream_reader, client_writer))
        try:
            await self._requests(client_reader, upstream_writer)
        finally:
            upstream_writer.close()
            await asyncio.gather(answers, return_exceptions=True)
            client_writer.close()

    async def _requests(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
                elif name.strip().lower() == "transfer-encoding" and "chunked" in value.lower():
                    raise RuntimeError(f"chunked request bodies are not counted: {method} {target}")
            with self._lock:
                self.counts[self._classify(method, target)] += 1
            writer.write(head)
            if length:
                writer.write(await reader.readexactly(length))
            await writer.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()
