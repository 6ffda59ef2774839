"""The worker's operations endpoint (aiohttp, on the worker's own loop): ``/health``, ``/ready``
(receiving from the queue), ``/metrics``."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from payment_service.metrics import WorkerMetrics

log = logging.getLogger(__name__)


async def start_ops_server(
    host: str, port: int, metrics: WorkerMetrics, receiving: asyncio.Event
) -> web.AppRunner:
    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "healthy"})

    async def ready(_: web.Request) -> web.Response:
        ok = receiving.is_set()
        return web.json_response({"status": "ready" if ok else "not ready"}, status=200 if ok else 503)

    async def metrics_text(_: web.Request) -> web.Response:
        response = web.Response(body=generate_latest(metrics.registry))
        response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        return response

    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_get("/ready", ready)
    app.router.add_get("/metrics", metrics_text)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1] if runner.addresses else port
    log.info("listening", extra={"event": "listening", "host": host, "port": bound})
    return runner
