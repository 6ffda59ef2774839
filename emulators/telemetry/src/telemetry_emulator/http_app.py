"""The receiver's HTTP application: ingestion (OTLP, Application Insights), the query API, the pages.

Routes (errors of the query API are application/problem+json naming the parameter in ``field``):
  POST   /v1/traces                  OTLP/HTTP traces, protobuf or JSON (see http_otlp)
  POST   /v2/track, /v2.1/track      Application Insights envelopes (see http_track)
  GET    /api/traces?service=&limit= newest first
  GET    /api/traces/{traceId}       every span
  GET    /api/traces/{traceId}/tree  the span tree as indented text
  DELETE /api/traces
  GET    /api/track?name=&operationId=&limit=
  DELETE /api/track
  GET    /, /traces/{traceId}        pages
  GET    /health, /metrics

With an admin token every route needs ``Authorization: Bearer <token>`` but ``/health``, ``/metrics`` and the
ingestion POSTs, which the services call without one (as open as the mailbox's SMTP). Bodies over the
limit get 413, a body not sent within 15 s 408, a request head not sent within 15 s loses the connection.
"""

from __future__ import annotations

from aiohttp import web
from emulator_common.admin_http import guard_middlewares, json_response

from telemetry_emulator import http_query
from telemetry_emulator.http_otlp import (
    TRACES_PATH,
    TRACK_PATHS,
    canonical_path,
    otlp_edge,
    receive_traces,
)
from telemetry_emulator.http_track import receive_track
from telemetry_emulator.metrics import CONTENT_TYPE
from telemetry_emulator.pages import render_trace, render_traces
from telemetry_emulator.state import STATE_KEY, ReceiverState

_OPEN_GETS = frozenset({"/health", "/metrics"})
_INGESTION = frozenset({TRACES_PATH, *TRACK_PATHS})
# The pages show span names and attributes, which any exporter may set: escaped, and no script runs at all.
_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _is_open(request: web.Request) -> bool:
    path = canonical_path(request)
    return path in _OPEN_GETS or (request.method == "POST" and path in _INGESTION)


async def _health(request: web.Request) -> web.Response:
    return json_response({"status": "healthy"})


async def _metrics(request: web.Request) -> web.Response:
    return web.Response(body=request.app[STATE_KEY].metrics.render(), headers={"Content-Type": CONTENT_TYPE})


def _html(text: str) -> web.Response:
    response = web.Response(text=text, content_type="text/html")
    response.headers["Content-Security-Policy"] = _PAGE_POLICY
    return response


async def _traces_page(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    return _html(render_traces(state.traces.traces(limit=100), len(state.envelopes)))


async def _trace_page(request: web.Request) -> web.Response:
    trace_id, spans = http_query.spans_or_404(request)
    return _html(render_trace(trace_id, spans))


def create_app(state: ReceiverState, admin_token: str | None = None) -> web.Application:
    app = web.Application(
        middlewares=[otlp_edge, *guard_middlewares(admin_token, _is_open)],
        client_max_size=state.max_body_bytes,
    )
    app[STATE_KEY] = state
    app.router.add_get("/health", _health)
    app.router.add_get("/metrics", _metrics)
    app.router.add_post(TRACES_PATH, receive_traces)
    for path in sorted(TRACK_PATHS):
        app.router.add_post(path, receive_track)
        # An IngestionEndpoint ending in "/" makes the Azure Monitor exporter ask for //v2.1/track.
        app.router.add_post(f"/{path}", receive_track)
    app.router.add_get("/api/traces", http_query.list_traces)
    app.router.add_delete("/api/traces", http_query.clear_traces)
    app.router.add_get("/api/traces/{trace_id}", http_query.get_trace)
    app.router.add_get("/api/traces/{trace_id}/tree", http_query.get_trace_tree)
    app.router.add_get("/api/track", http_query.list_envelopes)
    app.router.add_delete("/api/track", http_query.clear_envelopes)
    app.router.add_get("/", _traces_page)
    app.router.add_get("/traces/{trace_id}", _trace_page)
    return app
