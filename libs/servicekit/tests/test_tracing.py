"""servicekit.tracing in this process: configured once with the SDK's in-memory exporter, then consumer
spans, server spans of a real FastAPI and Flask app, log lines and message properties checked against what
was exported."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from flask import Flask
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from servicekit.logs import JsonFormatter, traceparent_var
from servicekit.tracing import (
    DIAGNOSTIC_ID_PROPERTY,
    TRACEPARENT_PROPERTY,
    configure_tracing,
    consumer_span,
    current_traceparent,
    instrument_fastapi,
    instrument_flask,
    message_trace_properties,
    received_traceparent,
    tracing_exports,
)
from servicekit.tracing_settings import TracingSettings

from .conftest import NO_EXPORT

PARENT_TRACE, PARENT_SPAN = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"  # pragma: allowlist secret
PARENT = f"00-{PARENT_TRACE}-{PARENT_SPAN}-01"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test-service"))
    logger = logging.getLogger("tracing-test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield stream
    logger.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _hex(span: ReadableSpan) -> tuple[str, str, str | None]:
    context = span.get_span_context()
    parent = span.parent
    return (
        f"{context.trace_id:032x}",
        f"{context.span_id:016x}",
        f"{parent.span_id:016x}" if parent is not None else None,
    )


def test_consumer_span_is_a_child_of_the_message_traceparent(spans: InMemorySpanExporter) -> None:
    with consumer_span(
        "payment-requests process",
        PARENT,
        system="servicebus",
        destination="payment-requests",
        message_id="m-1",
    ) as span:
        inside = current_traceparent()
    [exported] = spans.get_finished_spans()
    trace_id, span_id, parent_id = _hex(exported)

    assert (trace_id, parent_id) == (PARENT_TRACE, PARENT_SPAN)
    assert exported.kind is SpanKind.CONSUMER
    assert exported.parent is not None
    assert exported.parent.is_remote
    assert dict(exported.attributes or {}) == {
        "messaging.system": "servicebus",
        "messaging.destination.name": "payment-requests",
        "messaging.operation.type": "process",
        "messaging.message.id": "m-1",
    }
    assert inside == f"00-{trace_id}-{span_id}-01"
    assert span.get_span_context().span_id == int(span_id, 16)


@pytest.mark.parametrize(
    "traceparent",
    [
        None,
        "",
        "garbage",
        f"00-{'0' * 32}-{PARENT_SPAN}-01",  # all-zero trace id
        f"00-{PARENT_TRACE}-{'0' * 16}-01",  # all-zero span id
        f"ff-{PARENT_TRACE}-{PARENT_SPAN}-01",  # version ff is invalid
        f"00-{PARENT_TRACE[:-1]}-{PARENT_SPAN}-01",  # short trace id
    ],
)
def test_consumer_span_starts_a_new_trace_for_a_missing_or_invalid_traceparent(
    spans: InMemorySpanExporter, traceparent: str | None
) -> None:
    with consumer_span("order-events process", traceparent, system="eventhubs", destination="order-events"):
        pass
    [exported] = spans.get_finished_spans()

    assert exported.parent is None
    assert _hex(exported)[0] != PARENT_TRACE


def test_log_lines_inside_a_consumer_span_carry_its_ids_and_none_after(
    spans: InMemorySpanExporter, log_lines: io.StringIO
) -> None:
    log = logging.getLogger("tracing-test")
    with consumer_span("payment-requests process", PARENT, system="servicebus", destination="q"):
        log.info("charging")
    log.info("idle")
    [exported] = spans.get_finished_spans()
    trace_id, span_id, _ = _hex(exported)

    charging, idle = _lines(log_lines)
    assert (charging["trace_id"], charging["span_id"]) == (trace_id, span_id)
    assert "trace_id" not in idle
    assert traceparent_var.get() is None


def test_outgoing_message_properties_name_the_current_span_under_the_sdks_bytes_keys(
    spans: InMemorySpanExporter,
) -> None:
    with (
        consumer_span("payment-requests process", PARENT, system="servicebus", destination="q"),
        trace.get_tracer("test").start_as_current_span("publish PaymentSucceeded"),
    ):
        properties = message_trace_properties()
    publish = next(span for span in spans.get_finished_spans() if span.name == "publish PaymentSucceeded")
    trace_id, span_id, _ = _hex(publish)

    assert properties == {
        TRACEPARENT_PROPERTY: f"00-{trace_id}-{span_id}-01",
        DIAGNOSTIC_ID_PROPERTY: f"00-{trace_id}-{span_id}-01",
    }
    assert trace_id == PARENT_TRACE


def test_a_second_configure_is_a_no_op(spans: InMemorySpanExporter) -> None:
    provider = trace.get_tracer_provider()
    threads = {thread.name for thread in threading.enumerate()}
    configure_tracing(
        "other",
        environment="production",
        settings=TracingSettings(otel_exporter_otlp_endpoint="http://127.0.0.1:9/"),
    )

    assert trace.get_tracer_provider() is provider
    assert {thread.name for thread in threading.enumerate()} == threads, "no OTLP batch exporter started"
    with consumer_span("x", PARENT, system="servicebus", destination="q"):
        pass
    [exported] = spans.get_finished_spans()
    assert exported.resource.attributes["service.name"] == "test-service"
    assert exported.resource.attributes["service.namespace"] == "contoso-shop"
    assert exported.resource.attributes["deployment.environment.name"] == "test"
    assert tracing_exports()


def _fastapi_app() -> FastAPI:
    app = FastAPI()
    log = logging.getLogger("tracing-test")

    @app.get("/items/{item_id}")
    async def item(item_id: str) -> dict[str, str | None]:
        log.info("reading item")
        return {"item": item_id, "traceparent": current_traceparent()}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    instrument_fastapi(app)
    return app


async def test_fastapi_server_span_is_the_requests_child_and_the_logs_carry_it(
    spans: InMemorySpanExporter, log_lines: io.StringIO
) -> None:
    transport = httpx.ASGITransport(app=_fastapi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://product.test") as client:
        response = await client.get("/items/42?x=1", headers={"traceparent": PARENT})
    [server] = spans.get_finished_spans()  # no http receive / http send sub-spans
    trace_id, span_id, parent_id = _hex(server)

    assert server.name == "GET /items/{item_id}"
    assert server.kind is SpanKind.SERVER
    assert (trace_id, parent_id) == (PARENT_TRACE, PARENT_SPAN)
    assert response.json()["traceparent"] == f"00-{trace_id}-{span_id}-01"
    [line] = _lines(log_lines)
    assert (line["trace_id"], line["span_id"]) == (trace_id, span_id)


async def test_fastapi_probe_routes_are_not_traced(spans: InMemorySpanExporter) -> None:
    transport = httpx.ASGITransport(app=_fastapi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://product.test") as client:
        assert (await client.get("/health", headers={"traceparent": PARENT})).status_code == 200
        assert (await client.get("/health?verbose=1")).status_code == 200

    assert spans.get_finished_spans() == ()


def test_flask_server_span_is_the_requests_child_and_the_logs_carry_it(
    spans: InMemorySpanExporter, log_lines: io.StringIO
) -> None:
    app = Flask("payment-test")
    log = logging.getLogger("tracing-test")

    @app.get("/payments/<order_id>")
    def payment(order_id: str) -> dict[str, str | None]:
        log.info("reading payment")
        return {"order": order_id, "traceparent": traceparent_var.get()}

    instrument_flask(app)
    response = app.test_client().get("/payments/o-1", headers={"traceparent": PARENT})
    [server] = spans.get_finished_spans()
    trace_id, span_id, parent_id = _hex(server)

    assert server.name == "GET /payments/<order_id>"
    assert (trace_id, parent_id) == (PARENT_TRACE, PARENT_SPAN)
    assert response.get_json()["traceparent"] == f"00-{trace_id}-{span_id}-01"
    [line] = _lines(log_lines)
    assert (line["trace_id"], line["span_id"]) == (trace_id, span_id)
    assert traceparent_var.get() is None, "cleared at teardown: WSGI servers reuse threads"


def test_settings_map_the_standard_sampler_names() -> None:
    ratio = TracingSettings(otel_traces_sampler="parentbased_traceidratio", otel_traces_sampler_arg="0.25")

    assert "0.25" in ratio.sampler().get_description()
    assert TracingSettings(otel_traces_sampler="always_off").sampler().get_description() == "AlwaysOffSampler"
    assert NO_EXPORT.sampler().get_description().startswith("ParentBased{root:AlwaysOnSampler")


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("otel_traces_sampler", "sometimes", "OTEL_TRACES_SAMPLER='sometimes'"),
        ("otel_traces_sampler_arg", "half", "OTEL_TRACES_SAMPLER_ARG='half'"),
    ],
)
def test_settings_refuse_an_unknown_sampler_naming_the_variable(field: str, value: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        TracingSettings(**{field: value})


def test_blank_variables_count_as_unset() -> None:
    settings = TracingSettings(otel_exporter_otlp_endpoint=" ", applicationinsights_connection_string="")

    assert settings.otlp_traces_endpoint is None
    assert not settings.exports
    assert TracingSettings(otel_exporter_otlp_endpoint="http://t:4318/").otlp_traces_endpoint == (
        "http://t:4318/v1/traces"
    )


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        ({b"traceparent": PARENT.encode(), b"type": b"PaymentRequested"}, PARENT),
        ({b"traceparent": PARENT}, PARENT),
        ({"traceparent": PARENT}, PARENT),
        ({b"type": b"PaymentRequested"}, None),
        ({b"traceparent": 7}, None),
        (None, None),
    ],
)
def test_received_traceparent_reads_the_property_as_the_sdks_decode_it(
    properties: dict[object, object] | None, expected: str | None
) -> None:
    assert received_traceparent(properties) == expected
