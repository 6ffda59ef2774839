"""OTLP/HTTP protobuf, as the services send it: the real SDK exporter into the real receiver process."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.propagate import extract, inject
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from telemetry_exporting import otlp_tracer

if TYPE_CHECKING:
    from conftest import RunningReceiver


def by_name(spans: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {span["name"]: span for span in spans}


def send_saga_like_trace(
    receiver: RunningReceiver, compression: Compression = Compression.NoCompression
) -> str:
    """order's server span and producer span, then payment-worker's consumer span continuing the trace from
    a traceparent carried as a message property; returns the trace id."""
    carrier: dict[str, str] = {}
    with otlp_tracer(receiver.url, "order", compression) as order:
        with order.start_as_current_span("POST /orders", kind=SpanKind.SERVER) as server:
            server.set_attribute("http.route", "/orders")
            server.set_attribute("http.response.status_code", 201)
            with order.start_as_current_span("send payment-requests", kind=SpanKind.PRODUCER) as producer:
                producer.add_event("outbox row sent", {"rows": 1})
                inject(carrier)
        trace_id = format(server.get_span_context().trace_id, "032x")
    with otlp_tracer(receiver.url, "payment-worker", compression) as worker:
        parent = extract(carrier)
        link = Link(trace.get_current_span(parent).get_span_context(), {"messaging.message.id": "ord_1"})
        with worker.start_as_current_span(
            "process payment-requests", context=parent, kind=SpanKind.CONSUMER, links=[link]
        ) as consumer:
            consumer.set_attribute("messaging.system", "servicebus")
            consumer.set_attributes({"retries": [1, 2], "amount": 12.5, "fraud": False})
            consumer.set_status(Status(StatusCode.ERROR, "card declined"))
    return trace_id


def test_spans_exported_with_the_sdk_come_back_as_one_trace_with_their_details(
    receiver: RunningReceiver,
) -> None:
    trace_id = send_saga_like_trace(receiver)

    answer = receiver.http.get(f"/api/traces/{trace_id}")
    assert answer.status_code == 200, answer.text
    spans = by_name(answer.json()["spans"])
    assert set(spans) == {"POST /orders", "send payment-requests", "process payment-requests"}
    server, producer, consumer = (
        spans[name] for name in ("POST /orders", "send payment-requests", "process payment-requests")
    )
    assert (server["service"], server["kind"], server["parentSpanId"]) == ("order", "SERVER", None)
    assert server["attributes"] == {"http.route": "/orders", "http.response.status_code": 201}
    assert (producer["kind"], producer["parentSpanId"]) == ("PRODUCER", server["spanId"])
    assert [event["name"] for event in producer["events"]] == ["outbox row sent"]
    assert producer["events"][0]["attributes"] == {"rows": 1}
    assert (consumer["service"], consumer["kind"]) == ("payment-worker", "CONSUMER")
    assert consumer["parentSpanId"] == producer["spanId"]
    assert consumer["status"] == {"code": "ERROR", "message": "card declined"}
    assert consumer["attributes"]["retries"] == [1, 2]
    assert (consumer["attributes"]["amount"], consumer["attributes"]["fraud"]) == (12.5, False)
    assert consumer["links"] == [
        {"traceId": trace_id, "spanId": producer["spanId"], "attributes": {"messaging.message.id": "ord_1"}}
    ]
    assert consumer["resource"]["service.name"] == "payment-worker"
    assert consumer["scope"] == "telemetry-emulator-tests"
    assert all(span["traceId"] == trace_id for span in spans.values())
    assert server["startTimeUnixNano"] <= producer["startTimeUnixNano"] <= producer["endTimeUnixNano"]
    assert server["durationMs"] >= producer["durationMs"]


def test_a_gzip_compressed_export_is_read_like_a_plain_one(receiver: RunningReceiver) -> None:
    trace_id = send_saga_like_trace(receiver, Compression.Gzip)

    assert len(receiver.http.get(f"/api/traces/{trace_id}").json()["spans"]) == 3


def test_the_tree_indents_each_span_under_its_parent(receiver: RunningReceiver) -> None:
    trace_id = send_saga_like_trace(receiver)

    tree = receiver.http.get(f"/api/traces/{trace_id}/tree")

    assert tree.headers["content-type"].startswith("text/plain")
    lines = [line.split(" (")[0] for line in tree.text.splitlines()]
    assert lines == [
        "order SERVER POST /orders",
        "  order PRODUCER send payment-requests",
        "    payment-worker CONSUMER process payment-requests",
    ]
    assert tree.text.splitlines()[2].endswith("ERROR card declined")


def test_traces_are_listed_newest_first_and_filtered_by_service(receiver: RunningReceiver) -> None:
    with otlp_tracer(receiver.url, "product") as product:
        with product.start_as_current_span("GET /products", kind=SpanKind.SERVER) as first:
            pass
        with product.start_as_current_span("GET /products/{id}", kind=SpanKind.SERVER) as second:
            pass
    saga = send_saga_like_trace(receiver)
    first_id, second_id = (format(s.get_span_context().trace_id, "032x") for s in (first, second))

    listed = receiver.http.get("/api/traces").json()["traces"]
    only_product = receiver.http.get("/api/traces", params={"service": "product", "limit": 1}).json()

    assert [t["traceId"] for t in listed] == [saga, second_id, first_id]
    assert listed[0]["rootSpan"] == {"name": "POST /orders", "service": "order", "kind": "SERVER"}
    assert listed[0]["services"] == ["order", "payment-worker"]
    assert listed[0]["spanCount"] == 3
    assert listed[0]["durationMs"] > 0
    assert [t["traceId"] for t in only_product["traces"]] == [second_id]


def test_query_errors_name_the_parameter(receiver: RunningReceiver) -> None:
    unknown = receiver.http.get(f"/api/traces/{'ab' * 16}")
    malformed = receiver.http.get("/api/traces/not-a-trace-id")
    bad_limit = receiver.http.get("/api/traces", params={"limit": "0"})

    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert (malformed.status_code, malformed.json()["field"]) == (400, "traceId")
    assert (bad_limit.status_code, bad_limit.json()["field"]) == (400, "limit")


def test_clearing_forgets_every_trace(receiver: RunningReceiver) -> None:
    send_saga_like_trace(receiver)

    assert receiver.http.delete("/api/traces").json() == {"removed": 1}
    assert receiver.http.get("/api/traces").json() == {"traces": []}
