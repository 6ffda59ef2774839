"""aiohttp middlewares that guard a server against careless or hostile clients: the admin token on every
route but the open ones, and a deadline and size limit on reading a request body.

A server's other half of the guard is its ``keepalive_timeout`` (pass ``HEADER_TIMEOUT_SECONDS`` to
``web.AppRunner`` or ``web.run_app``): aiohttp arms it when a connection opens and after each response,
and closes the connection if no complete request head has arrived by then, which cuts off a client that
sends its headers slowly. Needs aiohttp, which the server brings; no Prometheus client, unlike
``servicekit.aiohttp``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from servicekit.admin_token import check_bearer
from servicekit.problems import PROBLEM_JSON, ApiError, problem_document

__all__ = [
    "BODY_TIMEOUT_SECONDS",
    "HEADER_TIMEOUT_SECONDS",
    "admin_token_middleware",
    "body_guard_middleware",
]

# A client has this long to send a request head (from connecting, or from the previous response) and then
# this long to send its body; both are far above what a local or in-cluster caller needs.
HEADER_TIMEOUT_SECONDS = 15.0
BODY_TIMEOUT_SECONDS = 15.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _problem(error: ApiError, request: web.Request) -> web.Response:
    """``error`` as an ``application/problem+json`` response to ``request``."""
    body = problem_document(
        error.status, error.title, error.detail, request.path, error.slug, field=error.field
    )
    return web.Response(
        status=error.status, body=json.dumps(body).encode(), content_type=PROBLEM_JSON, headers=error.headers
    )


def admin_token_middleware(token: str | None, is_open: Callable[[web.Request], bool]) -> Middleware:
    """Requires ``Authorization: Bearer <token>`` on every request ``is_open`` does not let through; no
    token configured means nothing is required (loopback only, see ``servicekit.admin_token``)."""

    @web.middleware
    async def require_admin_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        if token and not is_open(request):
            refusal = check_bearer(request.headers.get("Authorization"), token)
            if refusal is not None:
                return _problem(refusal, request)
        return await handler(request)

    return require_admin_token


def body_guard_middleware(body_timeout: float = BODY_TIMEOUT_SECONDS) -> Middleware:
    """Reads the whole body before the handler does (aiohttp caches it): a body over the app's
    ``client_max_size`` gets 413, one not sent within ``body_timeout`` seconds 408 and the connection closed;
    both problem+json."""

    @web.middleware
    async def guard_body(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.body_exists:
            refusal: ApiError | None = None
            try:
                async with asyncio.timeout(body_timeout):
                    await request.read()
            except TimeoutError:
                refusal = ApiError(
                    408,
                    "Request Timeout",
                    f"the request body did not arrive within {body_timeout:g} s",
                    slug="request-timeout",
                )
            except web.HTTPRequestEntityTooLarge as error:
                refusal = ApiError(
                    413, "Content Too Large", error.text or "body too large", slug="body-too-large"
                )
            if refusal is not None:
                response = _problem(refusal, request)
                # The rest of the body is never read, so the connection cannot carry another request.
                response.force_close()
                if refusal.status == 408 and request.protocol is not None:
                    # aiohttp would otherwise linger, reading the slow client's body for up to 10 s more.
                    await response.prepare(request)
                    await response.write_eof()
                    request.protocol.force_close()
                return response
        return await handler(request)

    return guard_body
