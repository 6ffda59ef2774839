"""Traces: the real ``payment-service`` process (gunicorn) exporting over OTLP/HTTP to the local trace
receiver (the ``telemetry`` component). A request continues the trace of its ``traceparent`` header with a
SERVER span named by its route, whose traceparent the answer and the access log carry; probes are not
traced."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from servicekit_testing.traces import Span, trace_receiver, wait_for_spans
from shopctl.ports import free_port

from ..conftest import TRACEPARENT

pytestmark = pytest.mark.timeout(120)
TRACE_ID, PARENT_SPAN_ID = TRACEPARENT.split("-")[1:3]


@pytest.fixture
def telemetry() -> Iterator[str]:
    with trace_receiver() as url:
        yield url


@pytest.fixture
def api(telemetry: str, env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The API exporting to ``telemetry``; stopped (so its spans flushed) by the test when it needs them."""
    port = free_port()
    log_path = tmp_path / "api.log"
    overrides = {
        "PAYMENT_PORT": str(port),
        "OTEL_EXPORTER_OTLP_ENDPOINT": telemetry,
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "payment-service")],
            env={**os.environ, **env, **overrides},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        yield url, log_path
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def api_spans(telemetry: str, trace_id: str) -> list[Span]:
    return wait_for_spans(
        telemetry,
        trace_id,
        service="payment",
        ready=lambda spans: any(s["kind"] == "SERVER" for s in spans),
        what="SERVER span",
    )


def log_entries(path: Path) -> list[dict[str, Any]]:
    entries = []
    for line in path.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries


def test_a_request_is_a_server_span_in_the_callers_trace_and_the_answer_and_log_carry_it(
    telemetry: str, api: tuple[str, Path]
) -> None:
    url, log_path = api
    httpx.get(f"{url}/health", headers={"traceparent": TRACEPARENT}, timeout=5)
    answer = httpx.get(f"{url}/payments/ord_absent", headers={"traceparent": TRACEPARENT}, timeout=5)

    spans = api_spans(telemetry, TRACE_ID)

    assert answer.status_code == 404
    [server] = [s for s in spans if s["kind"] == "SERVER"]  # /health is not traced
    assert server["name"] == "GET /payments/<order_id>"
    assert server["parentSpanId"] == PARENT_SPAN_ID
    assert answer.headers["traceparent"].split("-")[1:3] == [TRACE_ID, server["spanId"]]
    [access] = [entry for entry in log_entries(log_path) if entry.get("route") == "/payments/{order_id}"]
    assert (access["trace_id"], access["span_id"]) == (TRACE_ID, server["spanId"])
