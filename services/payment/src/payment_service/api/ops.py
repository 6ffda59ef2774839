"""``/health`` (the process serves), ``/ready`` (Table storage and Service Bus answer), ``/metrics``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from flask import Blueprint, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from payment_service.api.deps import runtime

log = logging.getLogger(__name__)
blueprint = Blueprint("ops", __name__)

_CHECK_TIMEOUT_SECONDS = 5.0


@blueprint.get("/health")
def health() -> Response:
    return jsonify({"status": "healthy"})


@blueprint.get("/ready")
async def ready() -> Response:
    rt = runtime()

    async def check(name: str, probe: Awaitable[None]) -> tuple[str, str]:
        try:
            await asyncio.wait_for(probe, _CHECK_TIMEOUT_SECONDS)
        except Exception as exc:
            log.warning("readiness check failed", extra={"dependency": name, "error": type(exc).__name__})
            return name, "unavailable"
        return name, "ok"

    results = dict(
        await asyncio.gather(
            check("tableStorage", rt.io.call(rt.ledger.ping())),
            check("serviceBus", rt.io.call(rt.bus.ping(rt.settings.events_topic))),
        )
    )
    ok = all(value == "ok" for value in results.values())
    response = jsonify({"status": "ready" if ok else "not ready", "checks": results})
    response.status_code = 200 if ok else 503
    return response


@blueprint.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(runtime().metrics.registry), content_type=CONTENT_TYPE_LATEST)
