"""The HTTP RED metrics: names, labels, buckets, and their text exposition."""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from servicekit.metrics import DURATION_BUCKETS, UNMATCHED, HttpMetrics, exposition


def test_observe_counts_and_times_a_request_by_method_route_and_status() -> None:
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry)

    metrics.observe("get", "/orders/{id}", 404, 0.02)
    metrics.observe("GET", "/orders/{id}", 404, 0.2)
    metrics.observe("GET", UNMATCHED, 404, 0.001)

    labels = {"method": "GET", "route": "/orders/{id}", "status": "404"}
    assert registry.get_sample_value("http_requests_total", labels) == 2
    assert registry.get_sample_value("http_request_duration_seconds_count", labels) == 2
    assert registry.get_sample_value("http_request_duration_seconds_bucket", {**labels, "le": "0.025"}) == 1
    assert registry.get_sample_value("http_requests_total", {**labels, "route": "unmatched"}) == 1


def test_exposition_is_prometheus_text_with_the_conventions_buckets() -> None:
    registry = CollectorRegistry()
    HttpMetrics(registry).observe("GET", "/health", 200, 0.001)

    body, content_type = exposition(registry)

    assert content_type.startswith("text/plain")
    families = {family.name: family for family in text_string_to_metric_families(body.decode())}
    assert families["http_requests"].type == "counter"
    duration = families["http_request_duration_seconds"]
    assert duration.type == "histogram"
    buckets = [float(s.labels["le"]) for s in duration.samples if s.name.endswith("_bucket")]
    assert buckets == [*DURATION_BUCKETS, float("inf")]
    assert DURATION_BUCKETS == (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
    assert {key for s in duration.samples for key in s.labels} == {"method", "route", "status", "le"}
    assert set(families) == {"http_requests", "http_request_duration_seconds"}  # no `_created` gauges
