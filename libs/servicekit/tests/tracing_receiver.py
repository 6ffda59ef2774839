"""A local HTTP server that takes what the exporters post: OTLP/HTTP protobuf trace exports (``/v1/traces``)
and, standing in for the Application Insights ingestion endpoint (which cannot run here), the Azure Monitor
exporter's envelopes (``/v2.1/track``, JSON, possibly gzipped)."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span


@dataclass(frozen=True)
class ReceivedSpan:
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int
    resource: dict[str, str]
    attributes: dict[str, str]


@dataclass
class Received:
    url: str
    otlp: list[ExportTraceServiceRequest] = field(default_factory=list)
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def spans(self) -> list[ReceivedSpan]:
        with self.lock:
            return [
                _span(span, _attributes(resource_spans.resource.attributes))
                for request in self.otlp
                for resource_spans in request.resource_spans
                for scope_spans in resource_spans.scope_spans
                for span in scope_spans.spans
            ]


def _attributes(attributes: Any) -> dict[str, str]:
    return {item.key: item.value.string_value for item in attributes}


def _span(span: Span, resource: dict[str, str]) -> ReceivedSpan:
    return ReceivedSpan(
        name=span.name,
        trace_id=span.trace_id.hex(),
        span_id=span.span_id.hex(),
        parent_span_id=span.parent_span_id.hex(),
        kind=span.kind,
        resource=resource,
        attributes=_attributes(span.attributes),
    )


@contextmanager
def trace_receiver() -> Iterator[Received]:
    received = Received(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            with received.lock:
                received.content_types.append(self.headers.get("Content-Type", ""))
                if self.path == "/v1/traces":
                    received.otlp.append(ExportTraceServiceRequest.FromString(body))
                    answer = b""
                    content_type = "application/x-protobuf"
                else:
                    envelopes = _envelopes(body)
                    received.envelopes.extend(envelopes)
                    answer = json.dumps(
                        {"itemsReceived": len(envelopes), "itemsAccepted": len(envelopes), "errors": []}
                    ).encode()
                    content_type = "application/json"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    received.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _envelopes(body: bytes) -> list[dict[str, Any]]:
    """The track endpoint takes a JSON array, or one envelope per line."""
    text = body.decode()
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return parsed if isinstance(parsed, list) else [parsed]
