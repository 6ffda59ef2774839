"""Memory stays bounded: past the span limit the traces first seen longest ago are dropped, and counted."""

from __future__ import annotations

import httpx
from emulator_common.testing import launched
from telemetry_emulator.model import Span, SpanKind
from telemetry_emulator.store import TraceStore
from telemetry_exporting import otlp_tracer


def make_span(trace: int, span: int, parent: int = 0, start: int = 0) -> Span:
    return Span(
        trace_id=f"{trace:032x}",
        span_id=f"{span:016x}",
        parent_span_id=f"{parent:016x}" if parent else "",
        name=f"span {span}",
        kind=SpanKind.INTERNAL,
        service="svc",
        start_unix_nano=start or span,
        end_unix_nano=(start or span) + 10,
    )


def test_the_oldest_traces_go_first_when_the_span_limit_is_passed() -> None:
    store = TraceStore(max_spans=4)
    store.add([make_span(1, 1), make_span(1, 2, 1)])
    store.add([make_span(2, 3), make_span(2, 4, 3)])
    store.add([make_span(1, 5, 1)])  # a late span of trace 1 does not make it young again

    assert store.trace(f"{1:032x}") is None
    assert [span.span_id for span in store.trace(f"{2:032x}") or []] == [f"{3:016x}", f"{4:016x}"]
    assert (store.held_spans, store.held_traces) == (2, 1)
    assert (store.dropped_spans, store.dropped_traces) == (3, 1)


def test_a_single_trace_over_the_limit_keeps_its_newest_spans() -> None:
    store = TraceStore(max_spans=2)
    store.add([make_span(1, n) for n in range(1, 5)])

    assert [span.span_id for span in store.trace(f"{1:032x}") or []] == [f"{3:016x}", f"{4:016x}"]
    assert store.dropped_spans == 2


def test_a_span_sent_twice_is_held_once() -> None:
    store = TraceStore(max_spans=10)
    store.add([make_span(1, 1)])
    store.add([make_span(1, 1)])

    assert store.held_spans == 1


def test_the_receiver_process_drops_old_traces_and_reports_it_in_metrics() -> None:
    with launched("telemetry_emulator.cli", "--http-port", "0", "--max-spans", "4") as running:
        url = f"http://127.0.0.1:{running.port('http_port')}"
        trace_ids = []
        with otlp_tracer(url, "product") as tracer:
            for n in range(3):
                with (
                    tracer.start_as_current_span(f"request {n}") as root,
                    tracer.start_as_current_span("query"),
                ):
                    pass
                trace_ids.append(format(root.get_span_context().trace_id, "032x"))
        with httpx.Client(base_url=url, timeout=10) as http:
            listed = [t["traceId"] for t in http.get("/api/traces").json()["traces"]]
            metrics = http.get("/metrics").text

    assert listed == [trace_ids[2], trace_ids[1]]
    assert "telemetry_traces_dropped_total 1.0" in metrics
    assert "telemetry_spans_dropped_total 2.0" in metrics
    assert "telemetry_spans_held 4.0" in metrics
    assert "telemetry_spans_received_total 6.0" in metrics
