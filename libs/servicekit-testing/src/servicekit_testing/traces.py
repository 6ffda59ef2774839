"""The platform's trace receiver (the ``telemetry`` component, emulators/telemetry) for tests that check the
spans a real service process exports over OTLP/HTTP, and a wait for a trace's spans to arrive (a span is
exported in a batch after it ends, so the test polls)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from shopctl.testing import launched

Span = dict[str, Any]  # as the receiver's /api/traces/{id} lists them: service, name, kind, spanId, ...


@contextmanager
def trace_receiver() -> Iterator[str]:
    """The receiver on a free port; yields the URL to give as ``OTEL_EXPORTER_OTLP_ENDPOINT``. Enter it
    before starting the process under test, so that it is still there for that process's last spans."""
    with launched("telemetry") as running:
        yield f"http://127.0.0.1:{running.port('telemetry', 'http')}"


def wait_for_spans(
    receiver: str,
    trace_id: str,
    *,
    service: str,
    ready: Callable[[list[Span]], bool],
    what: str,
    within: float = 30.0,
) -> list[Span]:
    """``service``'s spans in trace ``trace_id`` once ``ready`` says they are all there; fails naming
    ``what`` was awaited, with the trace as the receiver held it, after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        response = httpx.get(f"{receiver}/api/traces/{trace_id}", timeout=5)
        spans = [span for span in response.json().get("spans", []) if span["service"] == service]
        if ready(spans):
            return spans
        assert time.monotonic() < deadline, f"no {what} from {service} in {response.text[:2000]}"
        time.sleep(0.3)
