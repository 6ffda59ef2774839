"""The running platform against docs/conventions.md and under real Prometheus.

The components run as `make up` runs them (free ports, once for this module) and get requests with ids in
their paths; then each one's exposition is checked (labels bounded, histograms in seconds, counters
``_total``, the conventions' saga and broker metrics exported) and a real Prometheus, configured from the
platform as `shop-monitoring prometheus` configures it, plus one target where nothing listens, sees every
component up and the missing one as ``up == 0``.

Which components: ``SHOP_MONITORING_COMPONENTS`` (comma-separated). `make test` runs the two emulators,
which start in a second; `make monitoring-platform` runs every component that serves /metrics (the whole
platform but the storefront: half a minute to start on a laptop).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from shopctl.resolve import env_variable_for
from shopctl.testing import LaunchedPlatform, launched
from shopmonitoring.conventions import load_catalogue
from shopmonitoring.exposition import problems
from shopmonitoring.rules import rule_groups
from shopmonitoring.scrape import RULES_FILE, Target, prometheus_config, target_from_url, targets

from .platform_copy import SERVES_METRICS, platform_with_metrics_urls
from .prometheus_process import RunningPrometheus, free_port, prometheus

# Paths with ids in them: a component that put the raw path in a label would show the id.
ID_PATHS = {
    "product": "/products/prd_0123456789abcdef",
    "order": f"/orders/{uuid.uuid4()}",
    # pragma: allowlist nextline secret (an order id in a route)
    "payment": "/payments/ord_0123456789abcdef",
    "notification": "/notifications?orderId=ord_0123456789abcdef",
}
MISSING = "gone"  # the job of a scrape target where nothing listens
COMPONENTS = tuple(os.environ.get("SHOP_MONITORING_COMPONENTS", "servicebus,eventhubs").split(","))
# A series per component that Prometheus must have stored: the saga's and the broker's.
STORED = {
    "servicebus": 'servicebus_active_messages{entity="payment-requests"}',
    "eventhubs": 'eventhubs_partition_events{hub="order-events"}',
    "order": "order_outbox_lag_seconds",
    "product": 'http_requests_total{job="product", route="/products/{product_id}"}',
    "payment": 'http_requests_total{job="payment", route="/payments/{order_id}"}',
    "payment-worker": 'http_requests_total{job="payment-worker", route="/metrics"}',
    "notification": 'http_requests_total{job="notification", route="/notifications"}',
}


@dataclass
class Scraped:
    platform: LaunchedPlatform
    platform_file: Path
    prometheus: RunningPrometheus
    targets: list[Target]


@pytest.fixture(scope="module")
def scraped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scraped]:
    platform_file = platform_with_metrics_urls(tmp_path_factory.mktemp("platform"))
    unknown = set(COMPONENTS) - set(SERVES_METRICS)
    assert not unknown, f"SHOP_MONITORING_COMPONENTS: {sorted(unknown)} serve no /metrics"
    with launched(*COMPONENTS, platform_file=platform_file) as platform:
        scraped = targets(platform.component(name) for name in COMPONENTS)
        dead = target_from_url(MISSING, f"http://127.0.0.1:{free_port()}/metrics")
        config = prometheus_config([*scraped, dead], interval="1s")
        with prometheus(config, tmp_path_factory.mktemp("prometheus")) as running:
            for name, path in ID_PATHS.items():
                if name in COMPONENTS:
                    httpx.get(f"http://127.0.0.1:{platform.port(name, 'http')}{path}", timeout=30)
            yield Scraped(platform, platform_file, running, scraped)


def test_each_launched_component_is_a_scrape_target_at_its_port(scraped: Scraped) -> None:
    assert [(t.job, t.address) for t in scraped.targets] == [
        (name, f"127.0.0.1:{scraped.platform.port(name, 'http')}") for name in COMPONENTS
    ]


@pytest.mark.parametrize("component", COMPONENTS)
def test_metrics_keep_the_conventions(scraped: Scraped, component: str) -> None:
    response = httpx.get(scraped.platform.url(component, "metrics"), timeout=30)

    assert response.status_code == 200
    assert problems(component, response.text, load_catalogue()) == []


def test_prometheus_sees_every_component_up_and_the_missing_one_down(scraped: Scraped) -> None:
    prom = scraped.prometheus
    everyone = {*COMPONENTS, MISSING}
    health = prom.wait_for(
        "every target scraped once",
        lambda: (
            (seen := prom.targets())
            and set(seen) == everyone
            and all(t["health"] != "unknown" for t in seen.values())
            and seen
        ),
    )

    assert {job for job, t in health.items() if t["health"] == "up"} == set(COMPONENTS), health
    assert {r["metric"]["job"] for r in prom.query("up == 0")} == {MISSING}
    assert {r["metric"]["job"] for r in prom.query("up == 1")} == set(COMPONENTS)


@pytest.mark.parametrize("component", COMPONENTS)
def test_prometheus_stores_the_components_series(scraped: Scraped, component: str) -> None:
    prom = scraped.prometheus

    assert prom.wait_for(STORED[component], lambda: prom.query(STORED[component]))


def test_prometheus_evaluates_the_generated_rules_and_target_down_is_pending_for_the_missing_target(
    scraped: Scraped,
) -> None:
    """`for: 1m` is longer than this test waits: firing and its timing are the promtool tests' job."""
    prom = scraped.prometheus
    loaded = {group["name"]: group for group in prom.api("rules")["groups"]}

    assert set(loaded) == {group["name"] for group in rule_groups()}
    assert {group["file"] for group in loaded.values()} == {str(RULES_FILE)}
    [alert] = prom.wait_for(
        "TargetDown pending",
        lambda: [
            a["labels"] for a in prom.api("alerts")["alerts"] if a["labels"]["alertname"] == "TargetDown"
        ],
    )
    assert alert["job"] == MISSING


def test_the_prometheus_command_scrapes_the_platform_at_the_ports_it_runs_on(
    scraped: Scraped, tmp_path: Path
) -> None:
    """`shop-monitoring prometheus`, the command of the `prometheus` component: ports as the harness gives
    them to its children (SHOP_PORT_*), Prometheus exec'd in its place (so SIGTERM reaches it)."""
    ports = {
        env_variable_for(name, port_name): str(port)
        for name in COMPONENTS
        for port_name, port in scraped.platform.component(name).ports.items()
    }
    listen = f"127.0.0.1:{free_port()}"
    command = Path(sys.executable).parent / "shop-monitoring"
    log = tmp_path / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                command,
                "prometheus",
                "--platform",
                scraped.platform_file,
                "--data-dir",
                tmp_path,
                "--listen",
                listen,
            ],
            env={**os.environ, **ports},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        running = RunningPrometheus(f"http://{listen}", log)

        def health() -> dict[str, str]:
            assert process.poll() is None, log.read_text()
            if not running.is_ready():
                return {}
            seen = {job: t["health"] for job, t in running.targets().items() if job in COMPONENTS}
            return seen if set(seen) == set(COMPONENTS) and "unknown" not in seen.values() else {}

        assert running.wait_for("the platform's targets scraped", health) == dict.fromkeys(COMPONENTS, "up")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0, log.read_text()
