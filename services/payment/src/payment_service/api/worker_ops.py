"""The worker's operations endpoint (aiohttp, on the worker's own loop): ``/health``, ``/ready`` (receiving
from the queue, Table storage answers), ``/metrics``, in the shape of docs/conventions.md, with the HTTP RED
metrics and trace context of every request. No route takes a body: one over 16 KiB gets 413, a body or a
request head not sent within 15 s is cut off (``servicekit.aiohttp_guard``)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from servicekit.aiohttp import add_ops_routes
from servicekit.aiohttp_guard import HEADER_TIMEOUT_SECONDS, body_guard_middleware
from servicekit.health import Check, awaiting
from servicekit.logs import child_traceparent, log_request, traceparent_var
from servicekit.metrics import UNMATCHED

from payment_service.metrics import WorkerMetrics

log = logging.getLogger(__name__)
access_log = logging.getLogger("payment_service.access")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BODY_BYTES = 16 * 1024


def build_ops_app(metrics: WorkerMetrics, checks: dict[str, Check]) -> web.Application:
    @web.middleware
    async def edge(request: web.Request, handler: Handler) -> web.StreamResponse:
        traceparent = child_traceparent(request.headers.get("traceparent"))
        traceparent_var.set(traceparent)
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else UNMATCHED
        started, status = time.perf_counter(), 500
        try:
            response = await handler(request)
            status = response.status
        except web.HTTPException as exc:  # an unknown path (404) among them
            status = exc.status
            exc.headers["traceparent"] = traceparent
            raise
        finally:
            elapsed = time.perf_counter() - started
            metrics.http.observe(request.method, route, status, elapsed)
            log_request(access_log, request.method, route, status, elapsed)
        response.headers["traceparent"] = traceparent
        return response

    app = web.Application(middlewares=[edge, body_guard_middleware()], client_max_size=MAX_BODY_BYTES)
    add_ops_routes(app, checks, metrics.registry)
    return app


async def start_ops_server(
    host: str,
    port: int,
    metrics: WorkerMetrics,
    receiving: asyncio.Event,
    table_storage: Check,
    header_timeout: float = HEADER_TIMEOUT_SECONDS,
) -> web.AppRunner:
    """Serves the operations endpoint; ``/ready`` passes once the worker receives from the queue and while
    ``table_storage`` (the ledger's ping) answers."""
    checks = {
        "serviceBus": awaiting(receiving, "not receiving from the payment-requests queue yet"),
        "tableStorage": table_storage,
    }
    runner = web.AppRunner(build_ops_app(metrics, checks), access_log=None, keepalive_timeout=header_timeout)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1] if runner.addresses else port
    log.info("listening", extra={"event": "listening", "host": host, "port": bound})
    return runner
