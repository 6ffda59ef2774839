"""Liveness, readiness and Prometheus metrics, in the shape of docs/conventions.md."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from servicekit.health import liveness, readiness
from servicekit.metrics import exposition

from product_service.api.deps import RuntimeDep

router = APIRouter(tags=["operations"])

_HEALTH_EXAMPLE = {"status": "ok", "checks": {}}
_READY_EXAMPLE = {"status": "ok", "checks": {"cosmosDb": {"status": "ok"}, "blobStorage": {"status": "ok"}}}
_NOT_READY_EXAMPLE = {
    "status": "unavailable",
    "checks": {
        "cosmosDb": {"status": "unavailable", "error": "timed out after 3 s"},
        "blobStorage": {"status": "ok"},
    },
}


def _example(example: object) -> dict[str, object]:
    return {"content": {"application/json": {"example": example}}}


@router.get(
    "/health",
    summary="Liveness: the process is serving",
    response_class=JSONResponse,
    responses={200: _example(_HEALTH_EXAMPLE)},
)
async def health() -> JSONResponse:
    status, body = liveness()
    return JSONResponse(body, status_code=status)


@router.get(
    "/ready",
    summary="Readiness: Cosmos DB and Blob Storage answer",
    response_class=JSONResponse,
    responses={
        200: _example(_READY_EXAMPLE),
        503: {"description": "A dependency does not answer", **_example(_NOT_READY_EXAMPLE)},
    },
)
async def ready(runtime: RuntimeDep) -> JSONResponse:
    status, body = await readiness(runtime.readiness_checks())
    return JSONResponse(body, status_code=status)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(runtime: RuntimeDep) -> Response:
    body, content_type = exposition(runtime.metrics.registry)
    return Response(body, media_type=content_type)
