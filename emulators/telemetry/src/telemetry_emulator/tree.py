"""A trace as a tree: each span under its parent, siblings by start time; for the page and the text form."""

from __future__ import annotations

from collections import defaultdict

from telemetry_emulator.model import Span, StatusCode


def span_tree(spans: list[Span]) -> list[tuple[int, Span]]:
    """(depth, span) in depth-first order. A span whose parent is not held is a root; a span that claims
    to be its own ancestor (a broken exporter) is shown once, as a root."""
    by_id = {span.span_id: span for span in spans}
    children: dict[str, list[Span]] = defaultdict(list)
    roots: list[Span] = []
    for span in spans:
        if span.parent_span_id and span.parent_span_id in by_id and span.parent_span_id != span.span_id:
            children[span.parent_span_id].append(span)
        else:
            roots.append(span)
    ordered: list[tuple[int, Span]] = []
    placed: set[str] = set()

    def visit(span: Span, depth: int) -> None:
        placed.add(span.span_id)
        ordered.append((depth, span))
        for child in sorted(children[span.span_id], key=_start):
            if child.span_id not in placed:
                visit(child, depth + 1)

    for root in sorted(roots, key=_start):
        visit(root, 0)
    for span in sorted(spans, key=_start):
        if span.span_id not in placed:  # only in a parent cycle, which no root reaches
            visit(span, 0)
    return ordered


def _start(span: Span) -> tuple[int, str]:
    return span.start_unix_nano, span.span_id


def tree_text(spans: list[Span]) -> str:
    """The tree as indented lines, one per span: ``service KIND name (12.3 ms)``, with ERROR and the first
    line of its message when set (an exception's message may run over several)."""
    lines = []
    for depth, span in span_tree(spans):
        message = next(iter(span.status_message.splitlines()), "")
        status = f" ERROR {message}".rstrip() if span.status_code is StatusCode.ERROR else ""
        lines.append(
            f"{'  ' * depth}{span.service} {span.kind.value} {span.name} ({span.duration_ms:.1f} ms){status}"
        )
    return "\n".join(lines) + "\n"
