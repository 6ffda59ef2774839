"""The uvicorn server the app runs in, with a deadline on request heads and each response sent in one
write, the garbage collector settled once started, flushing spans on the way out.

uvicorn cuts off a connection idle between requests (``timeout_keep_alive``) but not one that has sent
part of a request head, which could then stay open as long as its client likes. `head_timeout_protocol`
closes a connection whose request head is not complete ``seconds`` after it opened or after the previous
response; the body has its own deadline in `api.middleware.BodyLimitMiddleware`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any, cast

import uvicorn
from fastapi import FastAPI
from servicekit.heap import settle_after_startup
from servicekit.tracing import shutdown_tracing
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from product_service.settings import Settings

log = logging.getLogger(__name__)


class CoalescingTransport:
    """A connection's transport whose writes within one turn of the event loop leave as one ``send``:
    uvicorn writes a response's head and its body separately, two system calls and two TCP segments for
    the client to take in, where one does (about a tenth of the process's CPU went to the head's alone in
    the load gate's profile). The rest is the socket transport's, untouched; closing sends what is held
    first, aborting drops it as the transport would."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(bytes(data))

    def flush(self) -> None:
        if self._held:
            data = b"".join(self._held) if len(self._held) > 1 else self._held[0]
            self._held.clear()
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held.clear()
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def head_timeout_protocol(seconds: float) -> type[HttpToolsProtocol]:
    class HeadTimeoutProtocol(HttpToolsProtocol):
        _head_deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.transport = cast(asyncio.Transport, CoalescingTransport(transport, self.loop))
            self._await_head()

        def on_headers_complete(self) -> None:
            self._forget_head_deadline()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._await_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._forget_head_deadline()
            super().connection_lost(exc)

        def _await_head(self) -> None:
            self._forget_head_deadline()
            self._head_deadline = self.loop.call_later(seconds, self.transport.close)

        def _forget_head_deadline(self) -> None:
            if self._head_deadline is not None:
                self._head_deadline.cancel()
                self._head_deadline = None

    return HeadTimeoutProtocol


class ProductServer(uvicorn.Server):
    """The service's process around the app: settles the garbage collector once the lifespan has started
    (``servicekit.heap``: the start-up objects frozen, fewer collections; here and not in the lifespan, so
    that tests running the app in their own process keep their collector as it was), and flushes the spans
    still queued once the requests in flight and the lifespan have finished (after ``run()`` returns it is
    too late, since uvicorn re-raises a caught SIGTERM as it returns)."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:  # the lifespan started
            log.info("garbage collector settled", extra={"frozen_objects": settle_after_startup()})

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets=sockets)
        await asyncio.to_thread(shutdown_tracing)


def server_config(app: FastAPI, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        # Nothing here reads the client address or scheme, and a proxy's X-Forwarded-* are trusted from
        # loopback only: the middleware would parse headers on every request for nothing.
        proxy_headers=False,
        http=head_timeout_protocol(settings.request_head_timeout_seconds),
    )
