"""Traces: the real ``notification-service`` process exporting over OTLP/HTTP to the local trace receiver
(the ``telemetry`` component). An event continues the trace of its ``traceparent`` with a CONSUMER span,
and the email and SMS sent for it are spans under that one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from servicekit_testing.traces import Span, trace_receiver, wait_for_spans

from .conftest import TRACEPARENT, Hub, status_changed

pytestmark = pytest.mark.timeout(120)
TRACE_ID, PARENT_SPAN_ID = TRACEPARENT.split("-")[1:3]


@pytest.fixture
def telemetry() -> Iterator[str]:
    with trace_receiver() as url:
        yield url


def consumer_with_children(spans: list[Span]) -> bool:
    consumer = [s for s in spans if s["kind"] == "CONSUMER"]
    return bool(consumer) and any(s["parentSpanId"] == consumer[0]["spanId"] for s in spans)


async def test_an_event_continues_its_trace_with_the_sends_under_its_consumer_span(
    telemetry: str, start_service: Any, hub: Hub
) -> None:
    # `telemetry` first: set up first, stopped last, so the service's last spans still have a receiver.
    start_service(OTEL_EXPORTER_OTLP_ENDPOINT=telemetry, OTEL_BSP_SCHEDULE_DELAY="200")
    order_id = f"ord_{uuid.uuid4().hex[:8]}"
    await hub.send(status_changed("PAID", order_id=order_id, phone="+447700900123"))

    spans = wait_for_spans(
        telemetry,
        TRACE_ID,
        service="notification",
        ready=consumer_with_children,
        what="consumer span with children",
    )

    [consumer] = [s for s in spans if s["kind"] == "CONSUMER"]
    assert consumer["name"] == "process order-events"
    assert consumer["parentSpanId"] == PARENT_SPAN_ID
    assert consumer["attributes"]["messaging.system"] == "eventhubs"
    children = {s["name"]: s for s in spans if s["parentSpanId"] == consumer["spanId"]}
    assert children["smtp send"]["kind"] == "CLIENT"
    assert children["POST"]["kind"] == "CLIENT"  # the text, into the mailbox's HTTP API
    assert children["POST"]["attributes"]["http.url"].endswith("/api/sms")
