"""ASGI middleware: W3C trace context, access log and the HTTP RED metrics (docs/conventions.md); request
body size limit and deadline.

The trace context is the current span's, which ``servicekit.tracing.instrument_fastapi`` starts around this
middleware as a child of the request's ``traceparent`` (the server span when spans are exported, a
non-recording one otherwise): log lines and the ``traceparent`` response header carry its ids.

Written as plain ASGI (not BaseHTTPMiddleware) so that streamed image responses pass through untouched.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from servicekit.logs import log_request, traceparent_var
from servicekit.metrics import UNMATCHED
from servicekit.problems import PROBLEM_JSON, ApiError
from servicekit.tracing import current_traceparent
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from product_service.api.problems import traced_problem_document
from product_service.metrics import Metrics

log = logging.getLogger("product_service.access")


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        traceparent = current_traceparent()
        trace_token = traceparent_var.set(traceparent)
        status = 500
        response_started = False
        started = time.perf_counter()

        async def send_with_trace(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", []), (b"traceparent", traceparent.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_trace)
        except Exception:
            log.exception("unhandled error")
            if response_started:
                raise
            document = traced_problem_document(
                500, "Internal error", "the request failed; retry it", scope["path"]
            )
            await send_problem(send_with_trace, document)
        finally:
            elapsed = time.perf_counter() - started
            # Starlette's route paths are already OpenAPI templates (``/products/{product_id}``).
            template = getattr(scope.get("route"), "path", None) or UNMATCHED
            self.metrics.observe_http(scope["method"], template, status, elapsed)
            log_request(log, scope["method"], template, status, elapsed)
            traceparent_var.reset(trace_token)


class CORSOnOriginMiddleware(CORSMiddleware):
    """Starlette's CORS, entered only for requests that carry an ``Origin`` (browsers on the storefront);
    the rest (the order service, probes, the load generator) get the one header it would add to theirs,
    ``Vary: Origin``, without the request and response header objects it builds on every request."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(name == b"origin" for name, _ in scope["headers"]):
            await super().__call__(scope, receive, send)
            return

        async def send_varying_on_origin(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message.get("headers", [])
                if any(name.lower() == b"vary" for name, _ in raw):
                    message["headers"] = list(raw)
                    headers = MutableHeaders(scope=message)
                    headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])
                else:
                    message["headers"] = [*raw, (b"vary", b"Origin")]
            await send(message)

        await self.app(scope, receive, send_varying_on_origin)


class BodyLimitMiddleware:
    """Refuses bodies over the limit for their route with 413, before or while they are read, and bodies
    not complete ``body_timeout`` seconds after the request head with 408; both close the connection."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str, str], int], body_timeout: float) -> None:
        self.app = app
        self.limit_for = limit_for
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _body_framing(scope["headers"])
        if not chunked and declared in (None, b"0"):
            # No body to count or wait for (a GET, a confirm): the app reads one empty message.
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(scope, send, limit)
            return
        received = 0
        responded = False
        body_complete = False
        deadline = asyncio.get_running_loop().time() + self.body_timeout

        async def guarded_send(message: Message) -> None:
            # Once the 413 or 408 went out, whatever the app answers to its aborted read is dropped.
            if not responded:
                await send(message)

        async def refuse(problem: ApiError) -> ApiError:
            nonlocal responded
            if not responded:
                responded = True
                document = traced_problem_document(
                    problem.status, problem.title, problem.detail, scope["path"], problem.slug
                )
                await send_problem(send, document, close=True)
            return problem

        async def counting_receive() -> Message:
            nonlocal received, body_complete
            if body_complete:
                return await receive()  # the app waiting for a disconnect: no deadline
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise await refuse(body_too_slow(self.body_timeout)) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_complete = not message.get("more_body", False)
                if received > limit:
                    raise await refuse(payload_too_large(limit))
            return message

        await self.app(scope, counting_receive, guarded_send)


def _body_framing(headers: Iterable[tuple[bytes, bytes]]) -> tuple[bytes | None, bool]:
    """The request's ``content-length`` (None without one) and whether it has a ``transfer-encoding``:
    HTTP/1.1 frames a body with one of the two, so a request with neither has none."""
    declared: bytes | None = None
    chunked = False
    for name, value in headers:
        if name == b"content-length":
            declared = value
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


def body_too_slow(seconds: float) -> ApiError:
    return ApiError(
        408, "Request Timeout", f"the body did not arrive within {seconds:g} s", slug="request-timeout"
    )


def payload_too_large(limit: int) -> ApiError:
    return ApiError(413, "Payload too large", f"the body exceeds {limit} bytes", slug="payload-too-large")


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    document = traced_problem_document(
        413, "Payload too large", f"the body exceeds {limit} bytes", scope["path"], "payload-too-large"
    )
    await send_problem(send, document, close=True)


async def send_problem(send: Send, document: dict[str, Any], close: bool = False) -> None:
    payload = json.dumps(document).encode()
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(payload)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": document["status"], "headers": headers})
    await send({"type": "http.response.body", "body": payload})
