"""OTLP/HTTP JSON, written by hand as the specification encodes it: hex ids, enums as numbers, 64-bit
integers as strings, unknown fields ignored; the answer in JSON too."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import RunningReceiver

TRACE_ID = "5B8EFFF798038103D269B633813FC60C"
ROOT_ID = "EEE19B7EC3C1B174"
CHILD_ID = "EEE19B7EC3C1B173"
LINKED_TRACE = "0af7651916cd43dd8448eb211c80319c"  # pragma: allowlist secret (a trace id)


def span(span_id: str, name: str, kind: int, parent: str = "", **extra: Any) -> dict[str, Any]:
    now = time.time_ns()
    return {
        "traceId": TRACE_ID,
        "spanId": span_id,
        "parentSpanId": parent,
        "name": name,
        "kind": kind,
        "startTimeUnixNano": str(now),
        "endTimeUnixNano": str(now + 2_500_000),
        **extra,
    }


def export(*spans: dict[str, Any], service: str = "notification") -> dict[str, Any]:
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
                "scopeSpans": [{"scope": {"name": "by-hand"}, "spans": list(spans)}],
                "futureField": {"ignored": True},
            }
        ]
    }


def test_a_json_export_is_stored_with_hex_ids_and_answered_in_json(receiver: RunningReceiver) -> None:
    attributes = [
        {"key": "messaging.destination.name", "value": {"stringValue": "order-events"}},
        {"key": "messaging.batch.message_count", "value": {"intValue": "3"}},
        {"key": "tags", "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"boolValue": True}]}}},
        {
            "key": "nested",
            "value": {"kvlistValue": {"values": [{"key": "k", "value": {"doubleValue": 0.5}}]}},
        },
        {"key": "raw", "value": {"bytesValue": "AQI="}},
    ]
    body = export(
        span(ROOT_ID, "process order-events", 5, attributes=attributes),
        span(
            CHILD_ID,
            "send email",
            3,
            ROOT_ID,
            status={"code": 2, "message": "smtp down"},
            links=[{"traceId": LINKED_TRACE, "spanId": "00f067aa0ba902b7"}],
        ),
    )

    response = receiver.http.post("/v1/traces", json=body)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {}
    spans = {s["name"]: s for s in receiver.http.get(f"/api/traces/{TRACE_ID.lower()}").json()["spans"]}
    consumer, client = spans["process order-events"], spans["send email"]
    assert (consumer["spanId"], consumer["kind"], consumer["service"]) == (
        ROOT_ID.lower(),
        "CONSUMER",
        "notification",
    )
    assert consumer["attributes"] == {
        "messaging.destination.name": "order-events",
        "messaging.batch.message_count": 3,
        "tags": ["a", True],
        "nested": {"k": 0.5},
        "raw": "0102",
    }
    assert (client["kind"], client["parentSpanId"]) == ("CLIENT", ROOT_ID.lower())
    assert client["status"] == {"code": "ERROR", "message": "smtp down"}
    assert client["links"] == [{"traceId": LINKED_TRACE, "spanId": "00f067aa0ba902b7", "attributes": {}}]
    assert client["durationMs"] == 2.5
    assert client["scope"] == "by-hand"


def test_spans_with_bad_ids_are_refused_as_a_partial_success(receiver: RunningReceiver) -> None:
    body = export(
        span(ROOT_ID, "kept", 2),
        {**span("0000000000000000", "zero span id", 1)},
        {**span(ROOT_ID, "short trace id", 1), "traceId": "abcd"},
    )

    response = receiver.http.post("/v1/traces", json=body)

    assert response.status_code == 200
    partial = response.json()["partialSuccess"]
    assert partial["rejectedSpans"] == "2"  # int64, a string in protobuf's JSON mapping
    assert "trace id must be 16 bytes" in partial["errorMessage"]
    kept = receiver.http.get(f"/api/traces/{TRACE_ID.lower()}").json()["spans"]
    assert [s["name"] for s in kept] == ["kept"]
    metrics = receiver.http.get("/metrics").text
    assert "telemetry_spans_rejected_total 2.0" in metrics


def test_an_id_that_is_not_hex_is_refused_naming_its_path(receiver: RunningReceiver) -> None:
    body = export(span(ROOT_ID, "ok", 2), {**span(CHILD_ID, "bad", 1), "parentSpanId": "zz"})

    response = receiver.http.post("/v1/traces", json=body)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    status = response.json()
    assert status["code"] == 3  # INVALID_ARGUMENT
    assert "resourceSpans[0].scopeSpans[0].spans[1].parentSpanId" in status["message"]
    assert receiver.http.get("/api/traces").json() == {"traces": []}


def test_a_field_of_the_wrong_type_is_refused_naming_the_field(receiver: RunningReceiver) -> None:
    body = export({**span(ROOT_ID, "bad time", 2), "startTimeUnixNano": "yesterday"})

    response = receiver.http.post("/v1/traces", json=body)

    assert response.status_code == 400
    assert "startTimeUnixNano" in response.json()["message"]


def test_a_json_document_that_is_not_an_object_is_refused(receiver: RunningReceiver) -> None:
    response = receiver.http.post("/v1/traces", json=[1, 2])

    assert response.status_code == 400
    assert "must be a JSON object" in response.json()["message"]
