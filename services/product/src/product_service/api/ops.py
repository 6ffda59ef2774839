"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from product_service.api.deps import RuntimeDep

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Liveness: the process is serving")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="Readiness: Cosmos DB and Blob Storage answer",
    responses={503: {"description": "A dependency does not answer"}},
)
async def ready(runtime: RuntimeDep) -> JSONResponse:
    checks = await runtime.check_ready()
    ok = all(result == "ok" for result in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(runtime: RuntimeDep) -> Response:
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)
