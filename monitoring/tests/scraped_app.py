"""What `test_verify.py` and `test_render.py` point a real Prometheus at: a small app serving /metrics over
HTTP (prometheus_client's server, in this process) and a dashboard of its metrics built the way dashboards.py
builds the committed ones, written to a folder as `shop-monitoring generate` writes them."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from shopmonitoring.dashboards import Dashboard, PanelSpec, Query, build
from shopmonitoring.scrape import Target, prometheus_config
from shopmonitoring.verify import load_dashboard

from .prometheus_process import RunningPrometheus, free_port, prometheus

JOB = "app"
UID = "shop-test-app"


@dataclass
class App:
    url: str  # its /metrics
    registry: CollectorRegistry
    dead_letters: Counter  # labelled: no series until a first increment

    @property
    def target(self) -> Target:
        return Target(JOB, self.url.split("/")[2], "/metrics", "http")


@contextlib.contextmanager
def serving_app() -> Iterator[App]:
    registry = CollectorRegistry()
    requests = Counter("http_requests_total", "requests", ["route", "status"], registry=registry)
    duration = Histogram("http_request_duration_seconds", "latency", ["route"], registry=registry)
    pending = Gauge("order_outbox_pending_messages", "rows", registry=registry)
    dead_letters = Counter("payment_dead_letters_total", "dead letters", ["reason"], registry=registry)
    pending.set(2)
    stop = threading.Event()

    def traffic() -> None:  # steady requests, so that rates and quantiles have values to draw
        while not stop.wait(0.1):
            for route, latency in (("/orders", 0.15), ("/products", 0.02)):
                requests.labels(route, "200").inc()
                duration.labels(route).observe(latency)

    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    traffic_thread = threading.Thread(target=traffic, daemon=True)
    traffic_thread.start()
    try:
        yield App(f"http://127.0.0.1:{server.server_port}/metrics", registry, dead_letters)
    finally:
        stop.set()
        traffic_thread.join(timeout=5)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def app_dashboard(extra: tuple[PanelSpec, ...] = ()) -> Dashboard:
    """Two rows, a stat and time series, Grafana's variables, one query that is empty until something
    happens; ``extra`` panels go in a third row."""
    rows = {
        "Traffic": [
            PanelSpec(
                "Targets up",
                "short",
                (Query("sum(up)", "up"), Query("count(up == 0)", "down", "a target is down")),
                "stat",
            ),
            PanelSpec(
                "Outbox backlog", "short", (Query("max(order_outbox_pending_messages)", "pending"),), "stat"
            ),
            PanelSpec(
                "Requests per second by route",
                "reqps",
                (Query("sum by (route) (rate(http_requests_total[$__rate_interval]))", "{{route}}"),),
            ),
        ],
        "Own": [
            PanelSpec(
                "Latency p95",
                "s",
                (
                    Query(
                        "histogram_quantile(0.95, sum by (le) "
                        "(rate(http_request_duration_seconds_bucket[$__rate_interval])))",
                        "p95",
                    ),
                ),
            ),
            PanelSpec(
                "Dead letters",
                "short",
                (
                    Query(
                        "sum by (reason) (increase(payment_dead_letters_total[$__range]))",
                        "{{reason}}",
                        "the app dead-letters a message",
                    ),
                ),
            ),
        ],
    }
    if extra:
        rows["Extra"] = list(extra)
    return build(UID, "Test app", "the scraped app of the tests", rows)


def write_dashboard(directory: Path, dashboard: Dashboard) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{dashboard.uid}.json"
    path.write_text(json.dumps(dashboard.model, indent=2, sort_keys=True) + "\n")
    load_dashboard(path)  # readable as verify reads it
    return path


def prometheus_scraping(
    workdir: Path, *targets: Target
) -> contextlib.AbstractContextManager[RunningPrometheus]:
    """A real Prometheus scraping ``targets`` every second, without rules."""
    return prometheus(prometheus_config(targets, rule_files=(), interval="1s"), workdir)


def wait_until_scraped_twice(running: RunningPrometheus, targets: int) -> None:
    """rate() needs two samples. Prometheus 2.42 hands new targets to its scrapers after 5 s, so a test
    that needs several Prometheus processes starts them all before waiting."""
    running.wait_for(
        "two scrapes of every target",
        lambda: len(running.query("count_over_time(up[1m]) >= 2")) == targets,
    )


def closed_port_target(job: str) -> Target:
    """A scrape target where nothing listens."""
    return Target(job, f"127.0.0.1:{free_port()}", "/metrics", "http")
