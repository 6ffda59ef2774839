"""Per-request trace context (W3C ``traceparent`` in, a child span out), access logs and metrics."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request
from servicekit.logs import child_traceparent, correlation_id_var, trace_id, traceparent_var

from payment_service.api.deps import runtime

log = logging.getLogger("payment_service.access")


def install(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        traceparent = child_traceparent(request.headers.get("traceparent"))
        traceparent_var.set(traceparent)
        correlation_id_var.set(request.headers.get("X-Correlation-Id") or trace_id(traceparent))
        g.started = time.monotonic()
        g.traceparent = traceparent

    @app.after_request
    def _finish(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule else "unmatched"
        elapsed = time.monotonic() - g.get("started", time.monotonic())
        metrics = runtime().metrics
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.latency.labels(request.method, route).observe(elapsed)
        response.headers["traceparent"] = g.get("traceparent", "")
        if route not in ("/health", "/metrics"):
            log.info(
                "request served",
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
        return response
