"""The real OpenTelemetry SDK exporting to a receiver: one tracer provider per service name, spans sent as
each ends (SimpleSpanProcessor), so a test reads them as soon as its block closes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Tracer


@contextmanager
def otlp_tracer(
    endpoint: str, service: str, compression: Compression = Compression.NoCompression
) -> Iterator[Tracer]:
    """A tracer of ``service`` exporting to ``endpoint`` (``http://host:port``) over OTLP/HTTP protobuf."""
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    exporter = OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces", compression=compression, timeout=10)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        yield provider.get_tracer("telemetry-emulator-tests")
    finally:
        provider.shutdown()
