"""Entry point: wires settings, middleware, error handlers and routers. ``product-service`` runs it."""

from __future__ import annotations

from fastapi import FastAPI
from servicekit.logs import configure_logging
from servicekit.settings import load_settings
from servicekit.tracing import configure_tracing, instrument_fastapi, tracing_exports

from product_service.adapters.clients import switch_off_azure_sdk_tracing
from product_service.api import ops, problems, products, reservations
from product_service.api.middleware import (
    BodyLimitMiddleware,
    CORSOnOriginMiddleware,
    ObservabilityMiddleware,
)
from product_service.metrics import Metrics
from product_service.runtime import lifespan
from product_service.server import ProductServer, server_config
from product_service.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    configure_logging(settings.log_level, "product", quiet=("uvicorn.access",))
    configure_tracing("product", environment=settings.environment.value)
    exports = tracing_exports()
    if not exports:
        switch_off_azure_sdk_tracing()
    metrics = Metrics()
    app = FastAPI(
        title="Contoso Shop product service",
        version="1.0.0",
        description="Catalog, stock reservations for the order saga, and product images.",
        lifespan=lifespan(settings, metrics),
        # Nothing to hand spans or metrics to: FastAPI's own telemetry would otherwise look up the global
        # OpenTelemetry providers (three environment reads) on every request to find none set.
        telemetry=None if exports else {"tracing": False, "metrics": False, "logs": False},
    )
    problems.install(app)
    for module in (products, reservations, ops):
        app.include_router(module.router)

    def body_limit(method: str, path: str) -> int:
        is_image = method == "PUT" and path.endswith("/image")
        return settings.image_max_bytes if is_image else settings.max_json_body_bytes

    app.add_middleware(
        BodyLimitMiddleware, limit_for=body_limit, body_timeout=settings.request_body_timeout_seconds
    )
    app.add_middleware(
        CORSOnOriginMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match", "traceparent"],
        expose_headers=["ETag", "Location", "traceparent", "Idempotent-Replayed"],
    )
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    instrument_fastapi(app)
    return app


def run() -> None:
    settings = load_settings(Settings, "product-service")
    ProductServer(server_config(create_app(settings), settings)).run()
