"""JSON logs to stdout, each line stamped with the correlation id and W3C trace context of the work in hand.

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
from typing import Any

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
# Attributes every LogRecord has; anything else was passed through ``extra=`` and is emitted as a field.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


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
    """One JSON object per record: time, level, service, logger, message, correlation id, trace context,
    then every ``extra=`` field."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        correlation_id = correlation_id_var.get()
        if correlation_id is not None:
            entry["correlation_id"] = correlation_id
        context = parse_traceparent(traceparent_var.get())
        if context is not None:
            entry["trace_id"] = context.trace_id
            entry["span_id"] = context.span_id
            entry["traceparent"] = context.header()
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str, service: str, *, quiet: Iterable[str] = ()) -> None:
    """Routes every logger through one JSON handler on stdout.

    The Azure SDKs log every request (with headers) at INFO, so ``azure`` is always held to warnings;
    ``quiet`` names further loggers to hold there (a server's access log the service writes itself).
    """
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("azure", *quiet):
        logging.getLogger(noisy).setLevel(logging.WARNING)
