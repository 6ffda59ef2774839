"""The pages people read: recent traces, and a trace as an indented tree, every exporter-set text escaped."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from opentelemetry.trace import SpanKind
from telemetry_exporting import otlp_tracer

if TYPE_CHECKING:
    from conftest import RunningReceiver

HOSTILE = "<script>alert(1)</script>"


def test_the_trace_page_indents_children_and_escapes_what_exporters_send(receiver: RunningReceiver) -> None:
    with (
        otlp_tracer(receiver.url, "order") as tracer,
        tracer.start_as_current_span("POST /orders", kind=SpanKind.SERVER) as root,
        tracer.start_as_current_span(HOSTILE, kind=SpanKind.CLIENT) as child,
    ):
        child.set_attribute("note", '"><img src=x onerror=alert(2)>')
        tracer.start_span("grandchild").end()
    trace_id = format(root.get_span_context().trace_id, "032x")

    page = receiver.http.get(f"/traces/{trace_id}")

    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img" not in page.text
    indents = re.findall(r'padding-left: ([0-9.]+)rem"><details><summary>([^<&]+)', page.text)
    assert [(float(pad), name.strip()) for pad, name in indents] == [
        (0.6, "POST /orders"),
        (3.6, "grandchild"),
    ]
    assert page.text.index("POST /orders") < page.text.index("&lt;script&gt;") < page.text.index("grandchild")
    assert 'padding-left: 2.1rem"><details><summary>&lt;script&gt;' in page.text


def test_the_front_page_lists_recent_traces_with_links(receiver: RunningReceiver) -> None:
    with (
        otlp_tracer(receiver.url, "product") as tracer,
        tracer.start_as_current_span("GET /products") as root,
    ):
        pass
    trace_id = format(root.get_span_context().trace_id, "032x")

    page = receiver.http.get("/")

    assert page.status_code == 200
    assert f'<a href="/traces/{trace_id}">product: GET /products</a>' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_an_empty_receiver_says_how_services_reach_it(receiver: RunningReceiver) -> None:
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" in receiver.http.get("/").text
