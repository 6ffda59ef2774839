"""The Application Insights ingestion stand-in: the real Azure Monitor exporter pointed at it by a connection
string, and batches written by hand the way the other SDKs send them (gzip'd newline-delimited JSON)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from azure.monitor.opentelemetry.exporter import AzureMonitorTraceExporter
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind

if TYPE_CHECKING:
    from conftest import RunningReceiver

# The well-known all-zero instrumentation key: not a secret, accepted by the stand-in like any other.
IKEY = "00000000-0000-0000-0000-000000000000"
# What would reach Microsoft's endpoints (statsbeat, SDK stats, remote configuration): off in a test.
QUIET_EXPORTER = {
    "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",
    "APPLICATIONINSIGHTS_SDKSTATS_DISABLED": "true",
    "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED": "true",
}


@pytest.fixture(scope="module")
def payment_provider() -> Iterator[TracerProvider]:
    """The process's global provider (the exporter reads the cloud role from its resource), set once."""
    provider = TracerProvider(resource=Resource.create({"service.name": "payment"}))
    trace.set_tracer_provider(provider)
    yield provider
    provider.shutdown()


def envelope(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "time": "2026-12-06T12:00:00.000Z",
        "iKey": IKEY,
        "tags": {"ai.operation.id": "a" * 32},
        "data": {"baseType": "RequestData", "baseData": {"ver": 2, "id": "b" * 16}},
        **fields,
    }


def test_the_azure_monitor_exporter_delivers_request_and_dependency_envelopes(
    receiver: RunningReceiver, payment_provider: TracerProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in QUIET_EXPORTER.items():
        monkeypatch.setenv(name, value)
    # The trailing slash is kept on purpose: the exporter then asks for //v2.1/track, as in Azure.
    connection = f"InstrumentationKey={IKEY};IngestionEndpoint={receiver.url}/"
    exporter = AzureMonitorTraceExporter(connection_string=connection, disable_offline_storage=True)
    processor = SimpleSpanProcessor(exporter)
    payment_provider.add_span_processor(processor)
    tracer = payment_provider.get_tracer("telemetry-emulator-tests")
    with tracer.start_as_current_span("POST /payments", kind=SpanKind.SERVER) as server:
        server.set_attributes({"http.request.method": "POST", "http.route": "/payments"})
        server.set_attribute("http.response.status_code", 201)
        with tracer.start_as_current_span("upsert ledger", kind=SpanKind.CLIENT):
            pass
    processor.shutdown()
    operation_id = format(server.get_span_context().trace_id, "032x")

    items = receiver.http.get("/api/track", params={"operationId": operation_id}).json()["items"]

    by_name = {item["envelope"]["name"]: item["envelope"] for item in items}
    assert set(by_name) == {
        "Microsoft.ApplicationInsights.Request",
        "Microsoft.ApplicationInsights.RemoteDependency",
    }
    request = by_name["Microsoft.ApplicationInsights.Request"]
    assert request["iKey"] == IKEY
    assert request["tags"]["ai.cloud.role"] == "payment"
    assert request["data"]["baseType"] == "RequestData"
    assert request["data"]["baseData"]["responseCode"] == "201"
    dependency = by_name["Microsoft.ApplicationInsights.RemoteDependency"]
    assert dependency["tags"]["ai.operation.parentId"] == request["data"]["baseData"]["id"]
    metrics = receiver.http.get("/metrics").text
    assert (
        'telemetry_export_requests_total{content_type="json",endpoint="appinsights",outcome="accepted"}'
        in metrics
    )


def test_gzipped_newline_delimited_envelopes_are_counted_as_the_real_endpoint_does(
    receiver: RunningReceiver,
) -> None:
    lines = "\n".join(json.dumps(envelope(f"Microsoft.ApplicationInsights.Event{n}")) for n in range(3))

    response = receiver.http.post(
        "/v2/track",
        content=gzip.compress(lines.encode()),
        headers={"Content-Type": "application/x-json-stream"},
    )

    assert response.status_code == 200
    assert response.json() == {"itemsReceived": 3, "itemsAccepted": 3, "errors": []}
    assert len(receiver.http.get("/api/track").json()["items"]) == 3


def test_an_envelope_without_a_required_field_is_refused_alone_with_206(receiver: RunningReceiver) -> None:
    batch = [envelope("Microsoft.ApplicationInsights.Request"), {**envelope("broken"), "time": ""}, "nope"]

    response = receiver.http.post("/v2.1/track", json=batch)

    assert response.status_code == 206
    answer = response.json()
    assert (answer["itemsReceived"], answer["itemsAccepted"]) == (3, 1)
    assert [(e["index"], e["statusCode"]) for e in answer["errors"]] == [(1, 400), (2, 400)]
    assert "'time'" in answer["errors"][0]["message"]
    assert [i["envelope"]["name"] for i in receiver.http.get("/api/track").json()["items"]] == [
        "Microsoft.ApplicationInsights.Request"
    ]


def test_a_body_that_is_no_batch_is_400_in_the_same_shape(receiver: RunningReceiver) -> None:
    broken_gzip = receiver.http.post("/v2.1/track", content=b"\x1f\x8b\x08\x00garbage")
    broken_json = receiver.http.post("/v2.1/track", content=b"[{not json")

    assert broken_gzip.status_code == 400
    assert "does not inflate" in broken_gzip.json()["errors"][0]["message"]
    assert broken_json.status_code == 400
    assert broken_json.json()["itemsAccepted"] == 0
    assert receiver.http.get("/api/track").json() == {"items": []}


def test_a_gzip_body_inflating_past_the_limit_is_413(receiver: RunningReceiver) -> None:
    bomb = gzip.compress(b" " * (5 * 1024**2))

    response = receiver.http.post("/v2.1/track", content=bomb)

    assert response.status_code == 413
    assert "inflates to more than" in response.json()["errors"][0]["message"]
