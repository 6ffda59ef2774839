"""The query API for people and tests: traces held, one trace's spans (JSON or an indented text tree),
Application Insights envelopes, and emptying both stores."""

from __future__ import annotations

import re

from aiohttp import web
from emulator_common.admin_http import ProblemError, json_response

from telemetry_emulator.model import Span
from telemetry_emulator.state import STATE_KEY
from telemetry_emulator.store import TraceSummary
from telemetry_emulator.tree import tree_text

MAX_LIMIT = 1000
_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


def query_limit(request: web.Request, default: int) -> int:
    raw = request.query.get("limit", str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ProblemError(
            400, "Bad Request", f"limit must be a whole number from 1 to {MAX_LIMIT}", field="limit"
        )
    return int(raw)


def trace_id_of(request: web.Request) -> str:
    trace_id = request.match_info["trace_id"].lower()
    if not _TRACE_ID.match(trace_id):
        raise ProblemError(400, "Bad Request", "a trace id is 32 hex digits", field="traceId")
    return trace_id


def spans_or_404(request: web.Request) -> tuple[str, list[Span]]:
    trace_id = trace_id_of(request)
    spans = request.app[STATE_KEY].traces.trace(trace_id)
    if spans is None:
        raise ProblemError(404, "Not Found", f"no trace {trace_id} is held")
    return trace_id, spans


def summary_json(summary: TraceSummary) -> dict[str, object]:
    root = summary.root
    return {
        "traceId": summary.trace_id,
        "rootSpan": None
        if root is None
        else {"name": root.name, "service": root.service, "kind": root.kind.value},
        "services": list(summary.services),
        "spanCount": summary.span_count,
        "startTimeUnixNano": summary.start_unix_nano,
        "durationMs": round(summary.duration_ms, 3),
    }


async def list_traces(request: web.Request) -> web.Response:
    service = request.query.get("service") or None
    summaries = request.app[STATE_KEY].traces.traces(service, query_limit(request, 50))
    return json_response({"traces": [summary_json(summary) for summary in summaries]})


async def get_trace(request: web.Request) -> web.Response:
    trace_id, spans = spans_or_404(request)
    return json_response({"traceId": trace_id, "spans": [span.as_json() for span in spans]})


async def get_trace_tree(request: web.Request) -> web.Response:
    _, spans = spans_or_404(request)
    return web.Response(text=tree_text(spans), content_type="text/plain")


async def clear_traces(request: web.Request) -> web.Response:
    return json_response({"removed": request.app[STATE_KEY].traces.clear()})


async def list_envelopes(request: web.Request) -> web.Response:
    found = request.app[STATE_KEY].envelopes.list(
        request.query.get("name") or None, request.query.get("operationId") or None, query_limit(request, 100)
    )
    return json_response({"items": [item.as_json() for item in found]})


async def clear_envelopes(request: web.Request) -> web.Response:
    return json_response({"removed": request.app[STATE_KEY].envelopes.clear()})
