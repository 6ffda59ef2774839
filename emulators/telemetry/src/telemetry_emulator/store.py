"""Spans in memory by trace id, bounded: past ``max_spans`` the traces first seen longest ago go first."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from telemetry_emulator.model import Span


@dataclass(frozen=True, slots=True)
class TraceSummary:
    trace_id: str
    root: Span | None
    services: tuple[str, ...]
    span_count: int
    start_unix_nano: int
    end_unix_nano: int

    @property
    def duration_ms(self) -> float:
        return max(self.end_unix_nano - self.start_unix_nano, 0) / 1e6


class TraceStore:
    """Keeps at most ``max_spans`` spans. A span sent again (an exporter's retry) replaces the one held."""

    def __init__(self, max_spans: int = 50_000) -> None:
        if max_spans < 1:
            raise ValueError("max_spans must be at least 1")
        self.max_spans = max_spans
        # Insertion order is the order traces were first seen: eviction pops from the front.
        self._traces: OrderedDict[str, dict[str, Span]] = OrderedDict()
        self._held = 0
        self.dropped_spans = 0
        self.dropped_traces = 0

    @property
    def held_spans(self) -> int:
        return self._held

    @property
    def held_traces(self) -> int:
        return len(self._traces)

    def add(self, spans: list[Span]) -> None:
        for span in spans:
            trace = self._traces.setdefault(span.trace_id, {})
            if span.span_id not in trace:
                self._held += 1
            trace[span.span_id] = span
        self._evict()

    def _evict(self) -> None:
        while self._held > self.max_spans and len(self._traces) > 1:
            _, oldest = self._traces.popitem(last=False)
            self._held -= len(oldest)
            self.dropped_spans += len(oldest)
            self.dropped_traces += 1
        if self._held > self.max_spans:
            # One trace alone is over the limit: keep its newest spans.
            (only,) = self._traces.values()
            for span_id in list(only)[: self._held - self.max_spans]:
                del only[span_id]
                self._held -= 1
                self.dropped_spans += 1

    def trace(self, trace_id: str) -> list[Span] | None:
        """The spans of one trace, by start time; None if it is not held."""
        spans = self._traces.get(trace_id)
        if spans is None:
            return None
        return sorted(spans.values(), key=lambda span: (span.start_unix_nano, span.span_id))

    def traces(self, service: str | None = None, limit: int = 50) -> list[TraceSummary]:
        """Summaries of the traces held, the one that started last first; ``service`` keeps those with a
        span of that service.name."""
        summaries = [
            _summary(trace_id, list(spans.values()))
            for trace_id, spans in self._traces.items()
            if service is None or any(span.service == service for span in spans.values())
        ]
        summaries.sort(key=lambda summary: summary.start_unix_nano, reverse=True)
        return summaries[:limit]

    def clear(self) -> int:
        removed = len(self._traces)
        self._traces.clear()
        self._held = 0
        return removed


def _summary(trace_id: str, spans: list[Span]) -> TraceSummary:
    held = {span.span_id for span in spans}
    # A root is a span without a parent, or whose parent never arrived (the caller was not traced here).
    roots = [span for span in spans if not span.parent_span_id or span.parent_span_id not in held]
    root = min(roots, key=lambda span: (span.parent_span_id != "", span.start_unix_nano), default=None)
    return TraceSummary(
        trace_id=trace_id,
        root=root,
        services=tuple(sorted({span.service for span in spans})),
        span_count=len(spans),
        start_unix_nano=min(span.start_unix_nano for span in spans),
        end_unix_nano=max(span.end_unix_nano for span in spans),
    )
