"""`shop-monitoring verify` against a real Prometheus scraping a real /metrics server: it passes when every
target is up and every query has data, names a target that is down and a query that returns nothing, lets
a query that is empty until an event pass with its reason, waits for data with --wait, and exits 2 for a
Prometheus that does not answer."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from shopmonitoring import cli, verify
from shopmonitoring.dashboards import PanelSpec, Query
from shopmonitoring.scrape import Target

from .prometheus_process import RunningPrometheus, free_port
from .scraped_app import (
    JOB,
    UID,
    App,
    app_dashboard,
    closed_port_target,
    prometheus_scraping,
    serving_app,
    wait_until_scraped_twice,
    write_dashboard,
)


@dataclass
class Scraping:
    app: App
    healthy: RunningPrometheus  # scrapes the app
    with_gone: RunningPrometheus  # scrapes the app and a target where nothing listens
    gone: Target


@pytest.fixture(scope="module")
def scraping(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scraping]:
    gone = closed_port_target("gone")
    with (
        serving_app() as app,
        prometheus_scraping(tmp_path_factory.mktemp("healthy"), app.target) as healthy,
        prometheus_scraping(tmp_path_factory.mktemp("with-gone"), app.target, gone) as with_gone,
    ):
        wait_until_scraped_twice(healthy, 1)
        wait_until_scraped_twice(with_gone, 2)
        yield Scraping(app, healthy, with_gone, gone)


@pytest.fixture
def healthy(scraping: Scraping) -> RunningPrometheus:
    return scraping.healthy


def run_verify(
    prometheus: str, dashboards: Path, *extra: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = cli.main(["verify", "--prometheus", prometheus, "--dashboards", str(dashboards), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_passes_when_every_target_is_up_and_every_query_has_data(
    healthy: RunningPrometheus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_dashboard(tmp_path, app_dashboard())

    code, out, err = run_verify(healthy.url, tmp_path, capsys=capsys)

    assert code == 0, out + err
    assert "FAIL" not in err
    assert f"  up      {JOB:16} 127.0.0.1:" in out
    assert f"dashboard {UID}" in out
    assert "  'Requests per second by route' [A] ok      2 series" in out
    assert "  'Latency p95' [A] ok      1 series" in out
    assert "  'Targets up' [A] ok      1 series" in out
    assert "  'Targets up' [B] empty   allowed: no data until a target is down" in out
    assert "  'Dead letters' [A] empty   allowed: no data until the app dead-letters a message" in out


def test_verify_fails_naming_the_target_that_is_down(
    scraping: Scraping, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_dashboard(tmp_path, app_dashboard())
    gone = scraping.gone

    code, out, err = run_verify(scraping.with_gone.url, tmp_path, capsys=capsys)

    assert code == 1
    assert f"FAIL target gone ({gone.address}) is down: " in err
    assert "connection refused" in err
    assert f"  DOWN    gone             {gone.address}  last error: " in out
    assert f"FAIL target {JOB} " not in err
    # the query that is empty until a target is down now has its series
    assert "  'Targets up' [B] ok      1 series" in out


def test_verify_fails_naming_a_query_that_returns_nothing(
    healthy: RunningPrometheus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_dashboard(tmp_path, app_dashboard())
    model = json.loads(path.read_text())
    backlog = next(panel for panel in model["panels"] if panel["title"] == "Outbox backlog")
    backlog["targets"][0]["expr"] = "max(shop_metric_nobody_exports)"
    path.write_text(json.dumps(model))

    code, out, err = run_verify(healthy.url, tmp_path, capsys=capsys)

    assert code == 1
    problems = [line for line in err.splitlines() if line.startswith("FAIL")]
    assert problems == [
        f"FAIL dashboard {UID}, panel 'Outbox backlog', query A: no data: max(shop_metric_nobody_exports)"
    ]
    assert "  'Outbox backlog' [A] EMPTY   no data" in out


def test_a_query_with_a_variable_the_dashboard_does_not_define_is_named(
    healthy: RunningPrometheus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = PanelSpec("By job", "reqps", (Query('sum(rate(http_requests_total{job="$job"}[5m]))', "x"),))
    write_dashboard(tmp_path, app_dashboard(extra=(stray,)))

    code, _, err = run_verify(healthy.url, tmp_path, capsys=capsys)

    assert code == 1
    assert f"FAIL dashboard {UID}, panel 'By job', query A: unknown template variable $job" in err


def test_wait_retries_until_a_series_appears(scraping: Scraping, tmp_path: Path) -> None:
    late = PanelSpec(
        "Late dead letters", "short", (Query('sum(payment_dead_letters_total{reason="late"})', "late"),)
    )
    write_dashboard(tmp_path, app_dashboard(extra=(late,)))
    out, err = io.StringIO(), io.StringIO()
    codes: list[int] = []
    run = threading.Thread(
        target=lambda: codes.append(verify.verify(scraping.healthy.url, tmp_path, 30, 300, out, err))
    )
    run.start()
    while "waiting: " not in err.getvalue() and run.is_alive():
        time.sleep(0.1)

    scraping.app.dead_letters.labels("late").inc()
    run.join(timeout=40)

    assert codes == [0], out.getvalue() + err.getvalue()
    assert "Late dead letters', query A: no data" in err.getvalue()  # the first attempt failed on it
    assert "  'Late dead letters' [A] ok      1 series" in out.getvalue()


def test_an_unreachable_prometheus_exits_2_naming_its_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_dashboard(tmp_path, app_dashboard())
    url = f"http://127.0.0.1:{free_port()}"

    code, out, err = run_verify(url, tmp_path, "--wait", "1", capsys=capsys)

    assert code == 2
    assert f"Prometheus at {url} does not answer" in err
    assert out == ""


def test_grafana_variables_take_the_window_of_an_instant_query_or_grafanas_rate_interval() -> None:
    expr = "increase(x[$__range]) / rate(x[${__rate_interval}]) offset $__interval"

    assert (
        verify.substitute(expr, verify.instant_variables(300))
        == "increase(x[300s]) / rate(x[300s]) offset 300s"
    )
    # a range query: $__rate_interval is max($__interval + scrape interval, 4 x scrape interval)
    assert (
        verify.substitute(expr, verify.range_variables(900, 5, 5))
        == "increase(x[900s]) / rate(x[20s]) offset 5s"
    )
    assert verify.substitute(expr, verify.range_variables(86400, 360, 5)) == (
        "increase(x[86400s]) / rate(x[365s]) offset 360s"
    )


def test_a_missing_dashboard_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_verify(f"http://127.0.0.1:{free_port()}", tmp_path / "none", capsys=capsys)

    assert code == 1
    assert f"FAIL dashboards: no dashboard JSON in {tmp_path / 'none'}" in err


def test_a_dashboard_that_is_not_json_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = write_dashboard(tmp_path, app_dashboard())
    broken.write_text(broken.read_text()[:-40])

    code, _, err = run_verify(f"http://127.0.0.1:{free_port()}", tmp_path, capsys=capsys)

    assert code == 1
    assert f"FAIL dashboards: {broken}: not JSON: " in err
