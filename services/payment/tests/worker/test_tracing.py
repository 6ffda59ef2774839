"""Traces: the real ``payment-worker`` process exporting over OTLP/HTTP to the local trace receiver (the
``telemetry`` component). A payment request continues the trace of its ``traceparent`` with a CONSUMER
span, its ledger writes are spans under that one, and the outcome it publishes carries the trace on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from servicekit_testing.traces import Span, trace_receiver, wait_for_spans

from ..conftest import TRACEPARENT, Bus, payment_requested

pytestmark = pytest.mark.timeout(120)
TRACE_ID, PARENT_SPAN_ID = TRACEPARENT.split("-")[1:3]


@pytest.fixture
def telemetry() -> Iterator[str]:
    with trace_receiver() as url:
        yield url


def worker_spans(telemetry: str, trace_id: str) -> list[Span]:
    """The worker's spans in trace ``trace_id`` once its consumer span has arrived (a span is exported
    when it ends, and the consumer span ends last)."""
    return wait_for_spans(
        telemetry,
        trace_id,
        service="payment-worker",
        ready=lambda spans: any(s["kind"] == "CONSUMER" for s in spans),
        what="consumer span",
    )


def descends_from(span_id: str, ancestor_id: str, spans: list[dict[str, Any]]) -> bool:
    """Whether ``span_id`` is ``ancestor_id`` or a span under it, following the exported parents."""
    parents = {s["spanId"]: s["parentSpanId"] for s in spans}
    while span_id and span_id != ancestor_id:
        span_id = parents.get(span_id, "")
    return span_id == ancestor_id


async def test_a_payment_request_continues_its_trace_and_the_outcome_carries_it_on(
    telemetry: str, start_worker: Any, bus: Bus
) -> None:
    # `telemetry` first: set up first, stopped last, so the worker's last spans still have a receiver.
    start_worker(OTEL_EXPORTER_OTLP_ENDPOINT=telemetry, OTEL_BSP_SCHEDULE_DELAY="200")
    request = payment_requested()
    order_id = request["data"]["orderId"]
    await bus.send_request(request)
    [outcome] = (await bus.wait_outcomes({order_id}))[order_id]

    spans = worker_spans(telemetry, TRACE_ID)

    [consumer] = [s for s in spans if s["kind"] == "CONSUMER"]
    assert consumer["name"] == "process payment-requests"
    assert consumer["parentSpanId"] == PARENT_SPAN_ID
    assert consumer["attributes"]["messaging.system"] == "servicebus"
    assert consumer["attributes"]["messaging.message.id"] == order_id
    # The ledger's Table storage calls (azure-core's plugin) are spans under the consumer span.
    ledger_calls = [
        s for s in spans if s["kind"] == "CLIENT" and descends_from(s["spanId"], consumer["spanId"], spans)
    ]
    assert len(ledger_calls) >= 3, [(s["name"], s["kind"]) for s in spans]
    properties = {
        k.decode(): v.decode() if isinstance(v, bytes) else v
        for k, v in outcome.application_properties.items()
    }
    _, trace_id, span_id, flags = properties["traceparent"].split("-")
    assert trace_id == TRACE_ID
    assert int(flags, 16) & 1  # sampled: the next service records its span too
    assert span_id != PARENT_SPAN_ID
    assert descends_from(span_id, consumer["spanId"], spans), (span_id, consumer["spanId"])
