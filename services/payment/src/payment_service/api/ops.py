"""``/health`` (the process serves), ``/ready`` (Table storage and Service Bus answer), ``/metrics``, in the
shape of docs/conventions.md."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from servicekit.health import liveness, readiness
from servicekit.metrics import exposition

from payment_service.api.deps import runtime

blueprint = Blueprint("ops", __name__)


@blueprint.get("/health")
def health() -> Response:
    status, body = liveness()
    response = jsonify(body)
    response.status_code = status
    return response


@blueprint.get("/ready")
async def ready() -> Response:
    rt = runtime()
    # The clients live on the runtime's I/O loop; each check hands its probe over to it.
    status, body = await readiness(
        {
            "tableStorage": lambda: rt.io.call(rt.ledger.ping()),
            "serviceBus": lambda: rt.io.call(rt.bus.ping(rt.settings.events_topic)),
        }
    )
    response = jsonify(body)
    response.status_code = status
    return response


@blueprint.get("/metrics")
def metrics() -> Response:
    body, content_type = exposition(runtime().metrics.registry)
    return Response(body, content_type=content_type)
