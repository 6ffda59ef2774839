"""The HTTP RED metrics of docs/conventions.md, the same in every Python service.

`HttpMetrics` defines ``http_requests_total`` and ``http_request_duration_seconds`` (labels ``method``,
``route``, ``status``; the conventions' buckets) on a registry the service owns, next to its own
``<service>_`` metrics. Each framework's thin middleware stays in the service: it finds the route template
(OpenAPI ``{param}`` form, or `UNMATCHED`) and calls `HttpMetrics.observe` once per request, ``/health``,
``/ready`` and ``/metrics`` included. Needs the ``metrics`` extra (prometheus-client).

Importing this module turns off the client's ``<counter>_created`` gauges, process-wide: the text format
cannot mark them as part of their counter, so they would be metrics of their own outside the naming rule
(``http_requests_created``), and Prometheus does not use them.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

__all__ = ["DURATION_BUCKETS", "UNMATCHED", "HttpMetrics", "exposition"]

DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The route label of a request no route serves: raw paths would let any client grow the label set.
UNMATCHED = "unmatched"
_LABELS = ("method", "route", "status")

disable_created_metrics()  # type: ignore[no-untyped-call]  # prometheus-client leaves it unannotated


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests served, by method, route template and status.",
            _LABELS,
            registry=registry,
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time to serve an HTTP request, by method, route template and status.",
            _LABELS,
            buckets=DURATION_BUCKETS,
            registry=registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Counts one served request; ``route`` is the template (``/orders/{id}``) or `UNMATCHED`."""
        labels = (method.upper(), route, str(status))
        self.requests.labels(*labels).inc()
        self.duration.labels(*labels).observe(seconds)


def exposition(registry: CollectorRegistry) -> tuple[bytes, str]:
    """The body and content type of ``GET /metrics`` (Prometheus text format)."""
    return generate_latest(registry), CONTENT_TYPE_LATEST
