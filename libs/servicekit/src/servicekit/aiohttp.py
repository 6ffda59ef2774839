"""aiohttp glue for the ops endpoints: ``/health``, ``/ready`` and ``/metrics`` answered from
``servicekit.health`` and ``servicekit.metrics``.

The only servicekit module that imports aiohttp, which is not a servicekit dependency: the aiohttp services
that import it depend on aiohttp (and the Prometheus client) themselves."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from prometheus_client import CollectorRegistry

from servicekit.health import Check, liveness, readiness
from servicekit.metrics import exposition


def add_ops_routes(app: web.Application, checks: Mapping[str, Check], registry: CollectorRegistry) -> None:
    """Adds ``GET /health`` (liveness), ``GET /ready`` (``checks``) and ``GET /metrics`` (``registry``)."""

    async def health(_: web.Request) -> web.Response:
        status, body = liveness()
        return web.json_response(body, status=status)

    async def ready(_: web.Request) -> web.Response:
        status, body = await readiness(checks)
        return web.json_response(body, status=status)

    async def metrics(_: web.Request) -> web.Response:
        body, content_type = exposition(registry)
        return web.Response(body=body, headers={"Content-Type": content_type})

    app.router.add_get("/health", health)
    app.router.add_get("/ready", ready)
    app.router.add_get("/metrics", metrics)
