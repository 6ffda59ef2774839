"""The trace context alone, for a process that exports no spans: a non-recording span continuing the
caller's trace, made current for the work in hand, at a small fraction of what the OpenTelemetry
instrumentations cost per request (they collect attributes, match the route a second time and record
metrics even when the span is dropped). ``servicekit.tracing`` uses it when nothing exports.

Only the OpenTelemetry API is needed: the span is the API's ``NonRecordingSpan`` with a fresh random span
id, the caller's trace id and flags (a new trace id and ``01`` when there is no valid caller), as
``servicekit.logs.child_traceparent`` makes them: a hop that records nothing passes the caller's sampling
decision on.

With an exporter, ``servicekit.tracing`` puts these edges inside the OpenTelemetry instrumentations, for
the requests those leave untraced (``/health``, ``/ready``, ``/metrics``) only (``only_untraced``): those
keep the caller's trace id in their logs and ``traceparent`` header all the same (docs/conventions.md).
Inside, not outside: the instrumentations start an INTERNAL child of a span already current instead of a
SERVER child of the request's header.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from servicekit.logs import parse_traceparent, traceparent_var

if TYPE_CHECKING:
    from flask import Flask
    from starlette.types import ASGIApp, Receive, Scope, Send

_NEW_TRACE_FLAGS = TraceFlags(TraceFlags.SAMPLED)


def non_recording_child(traceparent: str | None) -> NonRecordingSpan:
    """A span of the trace named by ``traceparent`` (a new trace when it is missing or invalid) with an id
    of its own; nothing about it is recorded."""
    parent = parse_traceparent(traceparent)
    if parent is None:
        trace_id, flags = random.getrandbits(128) or 1, _NEW_TRACE_FLAGS  # zero is the invalid id
    else:
        trace_id, flags = int(parent.trace_id, 16), TraceFlags(int(parent.flags, 16))
    span_id = random.getrandbits(64) or 1
    return NonRecordingSpan(
        SpanContext(trace_id=trace_id, span_id=span_id, is_remote=False, trace_flags=flags)
    )


def header_of(span: trace.Span) -> str:
    context = span.get_span_context()
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


@contextmanager
def current(span: trace.Span) -> Iterator[trace.Span]:
    """``span`` is the current span, and its traceparent in ``traceparent_var``, for the block."""
    token = otel_context.attach(trace.set_span_in_context(span))
    log_token = traceparent_var.set(header_of(span))
    try:
        yield span
    finally:
        traceparent_var.reset(log_token)
        otel_context.detach(token)


def _traced() -> bool:
    return trace.get_current_span().get_span_context().is_valid


class TraceContextMiddleware:
    """ASGI: each HTTP request runs in a non-recording child of its ``traceparent``; with ``only_untraced``
    only a request that no span is current for already."""

    def __init__(self, app: ASGIApp, *, only_untraced: bool = False) -> None:
        self.app = app
        self.only_untraced = only_untraced

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.only_untraced and _traced()):
            await self.app(scope, receive, send)
            return
        traceparent = None
        for name, value in scope["headers"]:
            if name == b"traceparent":
                traceparent = value.decode("latin-1")
                break
        with current(non_recording_child(traceparent)):
            await self.app(scope, receive, send)


def install_flask_trace_context(app: Flask, *, only_untraced: bool = False) -> None:
    """Flask: each request runs in a non-recording child of its ``traceparent`` (with ``only_untraced``, only
    one that no span is current for already, so register it after the instrumentation); cleared when the
    request ends, since WSGI servers reuse threads."""
    from flask import g, request

    @app.before_request
    def _enter_trace_context() -> None:
        if only_untraced and _traced():
            return
        span = non_recording_child(request.headers.get("traceparent"))
        g.trace_context_token = otel_context.attach(trace.set_span_in_context(span))
        traceparent_var.set(header_of(span))

    @app.teardown_request
    def _leave_trace_context(_: BaseException | None) -> None:
        token = g.pop("trace_context_token", None)
        if token is not None:
            otel_context.detach(token)
        traceparent_var.set(None)
