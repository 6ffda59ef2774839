"""``GET /metrics``: what the receiver took in and holds, in the Prometheus text format.

Counters: ``telemetry_spans_received_total``, ``telemetry_spans_rejected_total`` (bad ids),
``telemetry_envelopes_received_total``, ``telemetry_export_requests_total`` by ``endpoint`` (``otlp``,
``appinsights``), ``content_type`` (``protobuf``, ``json``, ``other``) and ``outcome``, and, evicted to stay
within ``--max-spans``, ``telemetry_spans_dropped_total`` and ``telemetry_traces_dropped_total``. Gauges:
``telemetry_traces_held``, ``telemetry_spans_held``, ``telemetry_envelopes_held``. All are read at scrape
time from plain counts (a collector, so no ``_created`` series), as the messaging emulators do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from telemetry_emulator.appinsights import EnvelopeStore
from telemetry_emulator.store import TraceStore

# The classic text format, which every Prometheus version reads (newer clients announce 1.0.0).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

OUTCOMES = {
    200: "accepted",
    206: "partially_accepted",
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    408: "timeout",
    413: "too_large",
    415: "unsupported_media_type",
}


def outcome_of(status: int) -> str:
    return OUTCOMES.get(status, "error")


class ReceiverMetrics(Collector):
    def __init__(self, traces: TraceStore, envelopes: EnvelopeStore) -> None:
        self._traces = traces
        self._envelopes = envelopes
        self.spans_received = 0
        self.spans_rejected = 0
        self.envelopes_received = 0
        self.export_requests: Counter[tuple[str, str, str]] = Counter()

    def count_request(self, endpoint: str, content_type: str, status: int) -> None:
        self.export_requests[(endpoint, content_type, outcome_of(status))] += 1

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        counters = {
            "spans_received": ("spans accepted from OTLP exports", self.spans_received),
            "spans_rejected": ("spans refused for a bad trace or span id", self.spans_rejected),
            "envelopes_received": ("Application Insights envelopes accepted", self.envelopes_received),
            "spans_dropped": ("spans evicted to stay within the span limit", self._traces.dropped_spans),
            "traces_dropped": (
                "traces evicted, oldest first, for the span limit",
                self._traces.dropped_traces,
            ),
        }
        for name, (text, value) in counters.items():
            yield CounterMetricFamily(f"telemetry_{name}", text, value=value)
        requests = CounterMetricFamily(
            "telemetry_export_requests",
            "export requests by endpoint, content type and outcome",
            labels=["endpoint", "content_type", "outcome"],
        )
        for labels, count in sorted(self.export_requests.items()):
            requests.add_metric(list(labels), count)
        yield requests
        yield GaugeMetricFamily(
            "telemetry_traces_held", "traces held in memory", value=self._traces.held_traces
        )
        yield GaugeMetricFamily("telemetry_spans_held", "spans held in memory", value=self._traces.held_spans)
        yield GaugeMetricFamily(
            "telemetry_envelopes_held", "Application Insights envelopes held", value=len(self._envelopes)
        )

    def render(self) -> bytes:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(self)
        return generate_latest(registry)
