"""Where spans go, per environment: tracing_probe.py runs once per environment, as a process of its own (a
process configures tracing once), against local HTTP receivers; the four runs go side by side."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from servicekit.logs import parse_traceparent

from .tracing_receiver import Received, ReceivedSpan, trace_receiver

PROBE = Path(__file__).with_name("tracing_probe.py")
PARENT_TRACE, PARENT_SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"  # pragma: allowlist secret
MESSAGE_TRACEPARENT = f"00-{PARENT_TRACE}-{PARENT_SPAN}-01"
TRACING_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
)


@dataclass(frozen=True)
class ProbeRun:
    report: dict[str, Any]
    otlp: Received
    ingestion: Received

    def spans(self) -> dict[str, ReceivedSpan]:
        return {span.name: span for span in self.otlp.spans()}


def _environments(otlp: dict[str, Received], ingestion: Received) -> dict[str, dict[str, str]]:
    return {
        "none": {},
        "otlp": {"OTEL_EXPORTER_OTLP_ENDPOINT": otlp["otlp"].url},
        "sampler_off": {
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp["sampler_off"].url,
            "OTEL_TRACES_SAMPLER": "always_off",
        },
        "azure": {
            "APPLICATIONINSIGHTS_CONNECTION_STRING": (
                f"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={ingestion.url}/"
            ),
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp["azure"].url,
            # No statsbeat to Microsoft's endpoints, no instance metadata lookups: loopback only here.
            "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",
            "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS": "otel",
        },
    }


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, ProbeRun]]:
    base = {key: value for key, value in os.environ.items() if key not in TRACING_VARIABLES}
    with ExitStack() as stack:
        names = ("none", "otlp", "sampler_off", "azure")
        otlp = {name: stack.enter_context(trace_receiver()) for name in names}
        ingestion = stack.enter_context(trace_receiver())
        environments = _environments(otlp, ingestion)
        processes = {
            name: subprocess.Popen(
                [sys.executable, str(PROBE), MESSAGE_TRACEPARENT],
                env={**base, **environments[name]},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in names
        }
        reports = {}
        for name, process in processes.items():
            out, err = process.communicate(timeout=90)
            assert process.returncode == 0, f"{name}: {err}"
            reports[name] = json.loads(out.strip().splitlines()[-1])
        # shutdown_tracing flushed before each probe exited (without atexit hooks): all is here already.
        yield {name: ProbeRun(reports[name], otlp[name], ingestion) for name in names}


def _child_of_parent(traceparent: str | None) -> str:
    """The span id of ``traceparent``, asserting it continues the message's trace with an id of its own."""
    context = parse_traceparent(traceparent)
    assert context is not None, traceparent
    assert context.trace_id == PARENT_TRACE
    assert context.span_id != PARENT_SPAN
    return context.span_id


def test_without_an_exporter_nothing_is_recorded_but_ids_propagate(runs: dict[str, ProbeRun]) -> None:
    report = runs["none"].report

    assert report["recording"] is False
    assert report["exports"] is False
    _child_of_parent(report["consumer"])
    # Spans started through the API are no-ops without a provider: the consumer span stays current.
    assert report["outgoing"] == report["logs"] == report["consumer"]
    # HTTP clients are left uninstrumented without an exporter (their wrappers cost on every SDK call).
    assert report["http_header"] == "", "no header injected when nothing is exported"


@pytest.mark.parametrize("framework", ["fastapi", "flask"])
def test_without_an_exporter_requests_still_run_in_a_child_of_their_traceparent(
    runs: dict[str, ProbeRun], framework: str
) -> None:
    seen = runs["none"].report[framework]

    _child_of_parent(seen["current"])
    assert seen["logs"] == seen["current"]
    if framework == "fastapi":
        _child_of_parent(seen["probe_logs"])  # docs/conventions.md: every request keeps its trace id
    else:
        assert seen["after"] is None, "cleared at teardown"


@pytest.mark.parametrize("framework", ["fastapi", "flask"])
def test_with_an_exporter_requests_run_in_an_exported_server_span(
    runs: dict[str, ProbeRun], framework: str
) -> None:
    seen = runs["otlp"].report[framework]
    servers = [span for span in runs["otlp"].spans().values() if span.kind == 2]  # SPAN_KIND_SERVER

    route = "GET /orders/{order_id}" if framework == "fastapi" else "GET /payments/<order_id>"
    [server] = [span for span in servers if span.name == route]
    assert (server.trace_id, server.parent_span_id) == (PARENT_TRACE, PARENT_SPAN)
    assert seen["current"] == seen["logs"] == f"00-{PARENT_TRACE}-{server.span_id}-01"
    if framework == "fastapi":
        assert "GET /health" not in {span.name for span in servers}, "probe routes are not traced"
        _child_of_parent(seen["probe_logs"])  # docs/conventions.md: every request keeps its trace id
    else:
        assert seen["after"] is None, "cleared at teardown"


def test_otlp_endpoint_exports_protobuf_with_the_resource_and_the_parent_chain(
    runs: dict[str, ProbeRun],
) -> None:
    report, spans = runs["otlp"].report, runs["otlp"].spans()

    assert report["recording"] is True
    assert set(runs["otlp"].otlp.content_types) == {"application/x-protobuf"}
    consumer, charge = spans["payment-requests process"], spans["charge"]
    assert consumer.resource["service.name"] == "payment-worker"
    assert consumer.resource["service.namespace"] == "contoso-shop"
    assert consumer.resource["deployment.environment.name"] == "test"
    assert (consumer.trace_id, consumer.parent_span_id) == (PARENT_TRACE, PARENT_SPAN)
    assert consumer.kind == 5  # SPAN_KIND_CONSUMER
    assert consumer.attributes["messaging.system"] == "servicebus"
    assert consumer.attributes["messaging.destination.name"] == "payment-requests"
    assert consumer.attributes["messaging.message.id"] == "order-1"
    assert (charge.trace_id, charge.parent_span_id) == (PARENT_TRACE, consumer.span_id)
    assert report["outgoing"] == f"00-{PARENT_TRACE}-{charge.span_id}-01"
    [http] = [span for span in spans.values() if span.kind == 3]  # SPAN_KIND_CLIENT
    assert (http.trace_id, http.parent_span_id) == (PARENT_TRACE, charge.span_id)
    assert report["http_header"] == f"00-{PARENT_TRACE}-{http.span_id}-01"


def test_the_standard_sampler_variable_is_respected(runs: dict[str, ProbeRun]) -> None:
    assert runs["sampler_off"].report["recording"] is False
    assert runs["sampler_off"].spans() == {}


def test_azure_monitor_edge_stand_in_receives_envelopes_and_otlp_still_gets_spans(
    runs: dict[str, ProbeRun],
) -> None:
    """The Application Insights ingestion endpoint cannot run here: a local server stands in for it through
    the connection string's ``IngestionEndpoint``."""
    run = runs["azure"]
    envelopes = list(run.ingestion.envelopes)

    assert run.report["recording"] is True
    names = {envelope["data"]["baseData"].get("name") for envelope in envelopes}
    assert {"payment-requests process", "charge"} <= names, envelopes
    consumer = next(e for e in envelopes if e["data"]["baseData"].get("name") == "payment-requests process")
    assert consumer["tags"]["ai.operation.id"] == PARENT_TRACE
    assert consumer["tags"]["ai.operation.parentId"] == PARENT_SPAN
    assert consumer["tags"]["ai.cloud.role"] == "contoso-shop.payment-worker"
    assert {"payment-requests process", "charge"} <= set(run.spans())
