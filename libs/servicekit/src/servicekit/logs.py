"""JSON logs to stdout in the shape of docs/conventions.md, each line stamped with the W3C trace context
(and correlation id) of the work in hand.

The edge of each service (HTTP middleware, message handler) sets ``traceparent_var`` and, where it has
one, ``correlation_id_var``; every log line written while that work runs carries them.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
# Attributes every LogRecord has; anything else was passed through ``extra=`` and is emitted as a field.
# uvicorn's ``color_message`` repeats the message with terminal colours.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
_LEVELS = (
    (logging.CRITICAL, "critical"),
    (logging.ERROR, "error"),
    (logging.WARNING, "warning"),
    (logging.INFO, "info"),
)
QUIET_ROUTES = frozenset({"/health", "/ready", "/metrics"})


@dataclass(frozen=True)
class TraceContext:
    trace_id: str
    span_id: str
    flags: str

    def header(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"


def parse_traceparent(value: str | None) -> TraceContext | None:
    """The context of a valid version-00 ``traceparent``; None for anything else (then a new trace starts).

    All-zero trace or span ids are invalid (W3C Trace Context, section 3.2.2.3).
    """
    match = _TRACEPARENT.match((value or "").strip().lower())
    if match is None or set(match.group(1)) == {"0"} or set(match.group(2)) == {"0"}:
        return None
    return TraceContext(match.group(1), match.group(2), match.group(3))


def child_traceparent(parent: str | None) -> str:
    """A traceparent for work done on behalf of ``parent`` (same trace, new span); a new trace otherwise."""
    context = parse_traceparent(parent)
    trace_id = context.trace_id if context else secrets.token_hex(16)
    flags = context.flags if context else "01"
    return TraceContext(trace_id, secrets.token_hex(8), flags).header()


def trace_id(traceparent: str | None) -> str | None:
    context = parse_traceparent(traceparent)
    return context.trace_id if context else None


def current_trace_id() -> str | None:
    """The trace id of the work in hand, if an edge set one."""
    return trace_id(traceparent_var.get())


class JsonFormatter(logging.Formatter):
    """One JSON object per record, in the shape of docs/conventions.md: ``time`` (RFC 3339 UTC, milliseconds,
    ``Z``), ``level`` (lower case), ``service``, ``message``, ``trace_id`` / ``span_id`` while a trace is in
    hand, ``logger``, ``correlation_id`` where an edge set one, then every ``extra=`` field (never in place
    of one of these), then ``exception`` on error lines.

    The one formatter of the Python services and the emulators; ``service`` is the component's name in
    harness/platform.yaml.
    """

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _rfc3339_ms(record.created),
            "level": level_name(record.levelno),
            "service": self._service,
            "message": record.getMessage(),
        }
        context = parse_traceparent(traceparent_var.get())
        if context is not None:
            entry["trace_id"] = context.trace_id
            entry["span_id"] = context.span_id
        entry["logger"] = record.name
        correlation_id = correlation_id_var.get()
        if correlation_id is not None:
            entry["correlation_id"] = correlation_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


def level_name(levelno: int) -> str:
    """The conventions' level of a `logging` level number; custom levels round down to the next known one."""
    for threshold, name in _LEVELS:
        if levelno >= threshold:
            return name
    return "debug"


def _rfc3339_ms(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def configure_logging(
    level: str | int, service: str, *, quiet: Iterable[str] = (), stream: TextIO | None = None
) -> None:
    """Routes every logger through one JSON handler on ``stream`` (stdout by default); idempotent.

    The Azure SDKs log every request (with headers) at INFO, so ``azure`` is always held to warnings;
    ``quiet`` names further loggers to hold there (a server's access log the service writes itself).
    Python warnings go through the same handler, so that nothing but JSON reaches the output.
    """
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for noisy in ("azure", *quiet):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)


def log_request(log: logging.Logger, method: str, route: str, status: int, seconds: float) -> None:
    """The access line of one served request (``method``, ``route`` template, ``status``, ``duration_ms``)
    at info, written by each service's HTTP middleware; none for ``/health``, ``/ready``, ``/metrics``,
    which probes and scrapers call every few seconds (their metrics still count them)."""
    if route in QUIET_ROUTES:
        return
    log.info(
        "request",
        extra={"method": method, "route": route, "status": status, "duration_ms": round(seconds * 1000, 2)},
    )
