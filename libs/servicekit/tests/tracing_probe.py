"""A process that configures tracing from its environment, serves one request through a FastAPI app and one
through a Flask app, handles one message (making an HTTP call in it), and reports what it saw as one JSON
line: run by the export tests, since each process configures tracing once.

    python tracing_probe.py TRACEPARENT
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from fastapi import FastAPI
from flask import Flask
from opentelemetry import trace
from servicekit.logs import traceparent_var
from servicekit.tracing import (
    configure_tracing,
    consumer_span,
    current_traceparent,
    instrument_fastapi,
    instrument_flask,
    instrument_http_clients,
    shutdown_tracing,
    tracing_exports,
)


def seen() -> dict[str, str | None]:
    return {"current": current_traceparent(), "logs": traceparent_var.get()}


def fastapi_request(traceparent: str) -> dict[str, Any]:
    app = FastAPI()

    @app.get("/orders/{order_id}")
    async def order(order_id: str) -> dict[str, str | None]:
        return seen()

    @app.get("/health")
    async def health() -> dict[str, str | None]:
        return seen()

    instrument_fastapi(app)

    async def call() -> dict[str, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://order.test") as client:
            traced = (await client.get("/orders/1", headers={"traceparent": traceparent})).json()
            probe = (await client.get("/health", headers={"traceparent": traceparent})).json()
        return {**traced, "probe_logs": probe["logs"]}

    return asyncio.run(call())


def flask_request(traceparent: str) -> dict[str, Any]:
    app = Flask("probe")

    @app.get("/payments/<order_id>")
    def payment(order_id: str) -> dict[str, str | None]:
        return seen()

    instrument_flask(app)
    answer: dict[str, Any] = app.test_client().get("/payments/1", headers={"traceparent": traceparent}).json
    return {**answer, "after": traceparent_var.get()}


@contextmanager
def header_echo() -> Iterator[str]:
    """A local HTTP server answering each GET with the ``traceparent`` header it got."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = (self.headers.get("traceparent") or "").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(traceparent: str) -> None:
    configure_tracing("payment-worker", environment="test")
    instrument_http_clients()
    report: dict[str, Any] = {"fastapi": fastapi_request(traceparent), "flask": flask_request(traceparent)}
    with consumer_span(
        "payment-requests process",
        traceparent,
        system="servicebus",
        destination="payment-requests",
        message_id="order-1",
    ) as span:
        with trace.get_tracer("probe").start_as_current_span("charge"), header_echo() as echo:
            outgoing = current_traceparent()
            http_header = httpx.get(echo).text
        report |= {
            "recording": span.is_recording(),
            "exports": tracing_exports(),
            "consumer": current_traceparent(),
            "logs": traceparent_var.get(),
            "outgoing": outgoing,
            "http_header": http_header,
        }
    shutdown_tracing()
    print(json.dumps(report), flush=True)
    # Leave as a signal would: no atexit hooks (the SDK's own flush at exit is one), so only what
    # shutdown_tracing flushed reaches a receiver.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
