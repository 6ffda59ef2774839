"""The span tree: children under parents by start time; orphans and cycles still shown, each span once."""

from __future__ import annotations

from dataclasses import replace

from telemetry_emulator.model import Span, SpanKind, StatusCode
from telemetry_emulator.tree import span_tree, tree_text


def make_span(span: int, parent: int = 0, start: int = 0) -> Span:
    return Span(
        trace_id="1" * 32,
        span_id=f"{span:016x}",
        parent_span_id=f"{parent:016x}" if parent else "",
        name=f"s{span}",
        kind=SpanKind.INTERNAL,
        service="svc",
        start_unix_nano=start,
        end_unix_nano=start + 1,
    )


def shape(spans: list[Span]) -> list[tuple[int, str]]:
    return [(depth, span.name) for depth, span in span_tree(spans)]


def test_children_sit_under_their_parent_in_start_order() -> None:
    spans = [make_span(1, 0, 0), make_span(3, 1, 20), make_span(2, 1, 10), make_span(4, 2, 11)]

    assert shape(spans) == [(0, "s1"), (1, "s2"), (2, "s4"), (1, "s3")]


def test_a_span_whose_parent_never_arrived_is_a_root() -> None:
    assert shape([make_span(1, 0, 5), make_span(2, 99, 1)]) == [(0, "s2"), (0, "s1")]


def test_a_parent_cycle_shows_each_span_once() -> None:
    spans = [make_span(1, 2, 0), make_span(2, 1, 1), make_span(3, 3, 2)]

    assert sorted(span.name for _, span in span_tree(spans)) == ["s1", "s2", "s3"]


def test_the_text_form_keeps_one_line_per_span_whatever_the_error_message() -> None:
    failed = replace(
        make_span(2, 1, 1), status_code=StatusCode.ERROR, status_message="not found\nRequestId: 1"
    )

    assert tree_text([make_span(1, 0, 0), failed]).splitlines() == [
        "svc INTERNAL s1 (0.0 ms)",
        "  svc INTERNAL s2 (0.0 ms) ERROR not found",
    ]
