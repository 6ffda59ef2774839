"""Receiver throughput: ``.venv/bin/python emulators/telemetry/bench/bench_receive.py``.

Prints, for OTLP protobuf and OTLP JSON export requests of realistic spans (eight attributes each, as the
instrumentations write them):
- decoding in this process: spans decoded per second and CPU seconds per 1000 spans;
- the receiver as a process over HTTP (requests sent one after another on one connection): spans per second
  and the receiver process's CPU seconds (user + system) per 1000 spans stored.
CPU per span is the steadier figure on a shared machine. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import time
from collections.abc import Callable

import httpx
import psutil
from emulator_common.testing import ServiceProcess
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span
from telemetry_emulator.otlp_decode import DecodedExport, decode_json, decode_protobuf


def _attribute(key: str, value: str | int) -> KeyValue:
    any_value = AnyValue(int_value=value) if isinstance(value, int) else AnyValue(string_value=value)
    return KeyValue(key=key, value=any_value)


def export_request(spans: int) -> ExportTraceServiceRequest:
    """One export of ``spans`` spans of one trace from one service, shaped like an HTTP server's."""
    trace_id = secrets.token_bytes(16)
    now = time.time_ns()
    made = []
    for n in range(spans):
        made.append(
            Span(
                trace_id=trace_id,
                span_id=secrets.token_bytes(8),
                parent_span_id=secrets.token_bytes(8) if n else b"",
                name="GET /products/{id}",
                kind=Span.SPAN_KIND_SERVER,
                start_time_unix_nano=now + n * 1000,
                end_time_unix_nano=now + n * 1000 + 2_500_000,
                attributes=[
                    _attribute("http.request.method", "GET"),
                    _attribute("http.route", "/products/{id}"),
                    _attribute("http.response.status_code", 200),
                    _attribute("url.path", f"/products/prod_{n:04d}"),
                    _attribute("url.scheme", "http"),
                    _attribute("server.address", "127.0.0.1"),
                    _attribute("server.port", 8001),
                    _attribute("user_agent.original", "python-httpx/0.28"),
                ],
            )
        )
    resource = Resource(attributes=[_attribute("service.name", "product")])
    scope_spans = ScopeSpans(spans=made)
    scope_spans.scope.name = "opentelemetry.instrumentation.fastapi"
    return ExportTraceServiceRequest(
        resource_spans=[ResourceSpans(resource=resource, scope_spans=[scope_spans])]
    )


def to_otlp_json(request: ExportTraceServiceRequest) -> bytes:
    """OTLP JSON: protobuf's JSON mapping with hex ids instead of base64."""
    document = json_format.MessageToDict(request)
    for resource_spans in document["resourceSpans"]:
        for scope_spans in resource_spans["scopeSpans"]:
            for span in scope_spans["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64decode(span[key]).hex()
    return json.dumps(document).encode()


def bench_decode(
    name: str, decode: Callable[[bytes], DecodedExport], bodies: list[bytes], spans: int
) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    for body in bodies:
        decode(body)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    total = len(bodies) * spans
    print(f"decode {name:8} {total / wall:10,.0f} spans/s   {1000 * cpu / total:.4f} CPU s per 1000 spans")


def bench_process(name: str, content_type: str, bodies: list[bytes], spans: int) -> None:
    receiver = ServiceProcess(
        "telemetry_emulator.cli", "--http-port", "0", "--max-spans", str(len(bodies) * spans + 1)
    ).start()
    try:
        assert receiver.process is not None
        process = psutil.Process(receiver.process.pid)
        with httpx.Client(base_url=f"http://127.0.0.1:{receiver.port('http_port')}", timeout=30) as http:
            http.get("/health")
            before = process.cpu_times()
            wall = time.perf_counter()
            for body in bodies:
                http.post(
                    "/v1/traces", content=body, headers={"Content-Type": content_type}
                ).raise_for_status()
            wall = time.perf_counter() - wall
            after = process.cpu_times()
        cpu = (after.user - before.user) + (after.system - before.system)
        total = len(bodies) * spans
        rate = f"{total / wall:10,.0f} spans/s"
        print(f"http   {name:8} {rate}   {1000 * cpu / total:.4f} receiver CPU s per 1000 spans")
    finally:
        receiver.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="export requests per run")
    parser.add_argument("--spans", type=int, default=100, help="spans per export request")
    args = parser.parse_args()
    requests = [export_request(args.spans) for _ in range(args.requests)]
    protobuf = [request.SerializeToString() for request in requests]
    otlp_json = [to_otlp_json(request) for request in requests]
    print(f"{args.requests} export requests x {args.spans} spans, pid {os.getpid()}")
    bench_decode("protobuf", decode_protobuf, protobuf, args.spans)
    bench_decode("json", decode_json, otlp_json, args.spans)
    bench_process("protobuf", "application/x-protobuf", protobuf, args.spans)
    bench_process("json", "application/json", otlp_json, args.spans)


if __name__ == "__main__":
    main()
