"""The product-service process exporting its spans over OTLP/HTTP: a request's server span continues the
caller's trace, the Cosmos DB calls it makes are its children, the ``traceparent`` response header names it,
and the spans still queued are flushed on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from servicekit_testing.traces import Span, trace_receiver, wait_for_spans
from shopctl.ports import free_port

SCRIPT = Path(sys.executable).with_name("product-service")
CALLER_TRACE, CALLER_SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"  # pragma: allowlist secret


def _await_health(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("product-service did not become healthy")


def test_request_span_is_the_callers_child_with_cosmos_spans_under_it(settings_for, process_env) -> None:
    port = free_port()
    with trace_receiver() as receiver:
        env = process_env(
            settings_for(),
            PRODUCT_HOST="127.0.0.1",
            PRODUCT_PORT=str(port),
            PRODUCT_LOG_LEVEL="INFO",
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver,
        )
        process = subprocess.Popen(
            [str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _await_health(base, process)
            response = httpx.get(
                f"{base}/products/no-such-product",
                headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"},
                timeout=10,
            )
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
        # Everything was flushed on SIGTERM: the server span and the calls under it are all there now.
        spans = wait_for_spans(
            receiver, CALLER_TRACE, service="product", ready=_has_server_span, what="SERVER span"
        )

    assert response.status_code == 404
    [server] = [span for span in spans if span["kind"] == "SERVER"]  # /health is not traced
    assert server["name"] == "GET /products/{product_id}"
    assert server["parentSpanId"] == CALLER_SPAN
    assert response.headers["traceparent"] == f"00-{CALLER_TRACE}-{server['spanId']}-01"
    assert not [span for span in spans if span["name"].endswith(("http send", "http receive"))]

    cosmos = [span for span in spans if span["parentSpanId"] == server["spanId"]]
    assert cosmos, f"no child span of the request: {[(s['name'], s['parentSpanId']) for s in spans]}"
    reads = [span for span in cosmos if span["name"].startswith("ContainerProxy.")]
    assert reads, f"no Cosmos DB span under the request: {[span['name'] for span in cosmos]}"
    http = [span for span in spans if span["parentSpanId"] in {read["spanId"] for read in reads}]
    assert http, "no span for the SDK's HTTP call to Cosmos DB under its operation"

    access = [json.loads(line) for line in out.splitlines() if '"route": "/products/{product_id}"' in line]
    assert [(line["trace_id"], line["span_id"]) for line in access] == [(CALLER_TRACE, server["spanId"])], err


def _has_server_span(spans: list[Span]) -> bool:
    return any(span["kind"] == "SERVER" for span in spans)
