"""``/health``, ``/ready``, ``/metrics`` (docs/conventions.md) and ``GET /notifications?orderId=``; errors as
problem+json; trace context, an access line and the HTTP RED metrics for every request. No route takes a
body: one over 16 KiB is refused with 413, a body or request head not sent within 15 s cut off
(``servicekit.aiohttp_guard``).

aiohttp because the service is one asyncio process: the HTTP app shares the consumer's event loop and
clients, with no second server framework or thread (aiohttp is already the Azure SDKs' transport).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from servicekit.aiohttp import add_ops_routes
from servicekit.aiohttp_guard import BODY_TIMEOUT_SECONDS, HEADER_TIMEOUT_SECONDS, body_guard_middleware
from servicekit.health import Check, awaiting
from servicekit.logs import child_traceparent, log_request, traceparent_var
from servicekit.metrics import UNMATCHED
from servicekit.problems import PROBLEM_JSON, problem_document

from notification_service.api.openapi import ORDER_ID_PATTERN, openapi_document
from notification_service.domain.models import LogEntry
from notification_service.metrics import Metrics

log = logging.getLogger(__name__)
access_log = logging.getLogger("notification_service.access")

_ORDER_ID = re.compile(ORDER_ID_PATTERN)
MAX_BODY_BYTES = 16 * 1024


@dataclass
class HttpDeps:
    metrics: Metrics
    history: Callable[[str], Awaitable[list[LogEntry]]]
    # The dependencies /ready pings (``tableStorage``, ``blobStorage``); ``eventHubs`` is ``consuming``.
    checks: dict[str, Check]
    consuming: asyncio.Event


def problem(
    request: web.Request, status: int, title: str, detail: str, slug: str, field: str | None = None
) -> web.Response:
    extensions = {} if field is None else {"field": field}
    body = problem_document(status, title, detail, request.path, slug, **extensions)
    return web.json_response(body, status=status, content_type=PROBLEM_JSON)


def entry_public(entry: LogEntry) -> dict[str, Any]:
    return {
        "eventId": entry.event_id,
        "channel": entry.channel,
        "status": entry.status,
        "recipient": entry.recipient,
        "subject": entry.subject,
        "orderStatus": entry.order_status,
        "reason": entry.reason,
        "at": entry.at.isoformat(),
    }


def build_app(deps: HttpDeps, body_timeout: float = BODY_TIMEOUT_SECONDS) -> web.Application:
    @web.middleware
    async def edge(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        traceparent = child_traceparent(request.headers.get("traceparent"))
        traceparent_var.set(traceparent)
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else UNMATCHED
        started = time.perf_counter()
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = problem(
                request, exc.status, exc.reason, exc.text or exc.reason, exc.reason.lower().replace(" ", "-")
            )
            # Keep what aiohttp says besides the body: `Allow` on a 405 (RFC 9110), ...
            for name, value in exc.headers.items():
                if name.lower() not in ("content-type", "content-length"):
                    response.headers[name] = value
        except Exception:
            log.exception("unhandled error")
            response = problem(
                request, 500, "Internal server error", "the request could not be completed", "internal"
            )
        response.headers["traceparent"] = traceparent
        elapsed = time.perf_counter() - started
        deps.metrics.http.observe(request.method, route, response.status, elapsed)
        log_request(access_log, request.method, route, response.status, elapsed)
        return response

    checks = {**deps.checks, "eventHubs": awaiting(deps.consuming, "not consuming order-events yet")}

    async def notifications(request: web.Request) -> web.Response:
        order_id = request.query.get("orderId")
        if not order_id:
            return problem(
                request, 400, "Missing parameter", "orderId is required", "missing-parameter", "orderId"
            )
        if not _ORDER_ID.match(order_id):
            return problem(
                request,
                400,
                "Invalid parameter",
                "orderId must be 1-128 URL-safe characters",
                "invalid-parameter",
                "orderId",
            )
        entries = await deps.history(order_id)
        return web.json_response({"orderId": order_id, "notifications": [entry_public(e) for e in entries]})

    document = openapi_document()

    async def openapi(_: web.Request) -> web.Response:
        return web.json_response(document)

    app = web.Application(
        middlewares=[edge, body_guard_middleware(body_timeout)], client_max_size=MAX_BODY_BYTES
    )
    add_ops_routes(app, checks, deps.metrics.registry)
    app.router.add_get("/notifications", notifications)
    app.router.add_get("/openapi.json", openapi)
    return app


async def start_server(
    app: web.Application, host: str, port: int, header_timeout: float = HEADER_TIMEOUT_SECONDS
) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=header_timeout)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound = runner.addresses[0][1] if runner.addresses else port
    log.info("listening", extra={"event": "listening", "host": host, "port": bound})
    return runner
