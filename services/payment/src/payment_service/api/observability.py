"""Per-request trace context (the server span's ``traceparent`` for logs and the answer), access logs and
the HTTP RED metrics (docs/conventions.md)."""

from __future__ import annotations

import logging
import re
import time

from flask import Flask, Response, g, request
from servicekit.logs import correlation_id_var, log_request, trace_id, traceparent_var
from servicekit.metrics import UNMATCHED
from servicekit.tracing import current_traceparent

from payment_service.api.deps import runtime

log = logging.getLogger("payment_service.access")

# A Flask rule's variable, ``<order_id>`` or ``<int:n>``, written ``{order_id}`` / ``{n}`` as in OpenAPI.
_RULE_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")


def route_template(rule: str) -> str:
    """The OpenAPI form of a Flask rule: ``/payments/<order_id>`` is ``/payments/{order_id}``."""
    return _RULE_VARIABLE.sub(r"{\1}", rule)


def install(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        # The server span's (servicekit.tracing.instrument_flask, installed before this): a child of the
        # request's traceparent header, or a new trace.
        traceparent = current_traceparent()
        g.trace_token = traceparent_var.set(traceparent)
        g.correlation_token = correlation_id_var.set(
            request.headers.get("X-Correlation-Id") or trace_id(traceparent)
        )
        g.started = time.perf_counter()
        g.traceparent = traceparent

    @app.after_request
    def _finish(response: Response) -> Response:
        route = route_template(request.url_rule.rule) if request.url_rule else UNMATCHED
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        runtime().metrics.http.observe(request.method, route, response.status_code, elapsed)
        response.headers["traceparent"] = g.get("traceparent", "")
        log_request(log, request.method, route, response.status_code, elapsed)
        return response

    @app.teardown_request
    def _forget(_: BaseException | None) -> None:
        # gunicorn's threads serve one request after another: nothing of this one may stamp the next.
        if "trace_token" in g:
            traceparent_var.reset(g.trace_token)
            correlation_id_var.reset(g.correlation_token)
