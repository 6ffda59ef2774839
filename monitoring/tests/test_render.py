"""`shop-monitoring render` against a real Prometheus scraping a real /metrics server: the PNG holds one
subplot per panel at the dashboard's grid, titled as the panels, with legends from the series' labels; an
unknown dashboard and an unreachable Prometheus are reported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from shopmonitoring import cli, render
from shopmonitoring.verify import load_dashboard

from .prometheus_process import RunningPrometheus, free_port
from .scraped_app import (
    UID,
    app_dashboard,
    prometheus_scraping,
    serving_app,
    wait_until_scraped_twice,
    write_dashboard,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def scraped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPrometheus]:
    with (
        serving_app() as app,
        prometheus_scraping(tmp_path_factory.mktemp("prometheus"), app.target) as running,
    ):
        wait_until_scraped_twice(running, 1)
        yield running


@pytest.fixture
def dashboards(tmp_path: Path) -> Path:
    write_dashboard(tmp_path / "dashboards", app_dashboard())
    return tmp_path / "dashboards"


def texts(figure: Figure, title: str) -> list[str]:
    axes = next(a for a in figure.axes if a.get_title() == title)
    return [t.get_text() for t in axes.texts]


def test_render_draws_every_panel_in_a_png(
    scraped: RunningPrometheus, dashboards: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results" / f"{UID}.png"
    panels = load_dashboard(dashboards / f"{UID}.json").query_panels()

    figure = render.render(scraped.url, UID, out, span="2m", scrape_interval="1s", directory=dashboards)

    assert out.read_bytes()[:8] == PNG_SIGNATURE
    assert [a.get_title() for a in figure.axes] == [p.title for p in panels]
    by_route = next(a for a in figure.axes if a.get_title() == "Requests per second by route")
    legend = by_route.get_legend()
    assert legend is not None
    assert sorted(t.get_text() for t in legend.get_texts()) == ["/orders", "/products"]
    assert by_route.get_ylabel() == "requests/s"
    # the app answers requests on each route all the time: each line has a positive rate
    for line in by_route.get_lines():
        rates = np.asarray(line.get_ydata(), dtype=float)
        assert (rates > 0).any(), (line.get_label(), rates)
    assert texts(figure, "Targets up") == ["up: 1"]
    assert texts(figure, "Outbox backlog") == ["pending: 2"]
    assert texts(figure, "Dead letters") == ["No data\n(until the app dead-letters a message)"]


def test_render_lays_panels_out_on_grafanas_grid(
    scraped: RunningPrometheus, dashboards: Path, tmp_path: Path
) -> None:
    figure = render.render(
        scraped.url, UID, tmp_path / "out.png", span="2m", scrape_interval="1s", directory=dashboards
    )
    place = {a.get_title(): a.get_position() for a in figure.axes}

    # Traffic: two 6-wide stats and a 12-wide time series on one line; Own: two time series below them
    assert place["Targets up"].x1 < place["Outbox backlog"].x0 < place["Requests per second by route"].x0
    assert place["Targets up"].width < place["Requests per second by route"].width
    assert place["Targets up"].y0 == place["Requests per second by route"].y0
    assert place["Latency p95"].y1 < place["Requests per second by route"].y0
    assert place["Latency p95"].y0 == place["Dead letters"].y0
    assert place["Latency p95"].x1 < place["Dead letters"].x0


def test_render_names_an_unknown_dashboard(
    scraped: RunningPrometheus, dashboards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(
        [
            "render",
            "--prometheus",
            scraped.url,
            "--dashboard",
            "shop-nope",
            "--out",
            str(tmp_path / "x.png"),
            "--dashboards",
            str(dashboards),
        ]
    )

    assert code == 1
    assert f"no dashboard 'shop-nope' in {dashboards} (there are: {UID})" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_render_exits_2_for_an_unreachable_prometheus(
    dashboards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}"

    code = cli.main(
        [
            "render",
            "--prometheus",
            url,
            "--dashboard",
            UID,
            "--out",
            str(tmp_path / "x.png"),
            "--dashboards",
            str(dashboards),
        ]
    )

    assert code == 2
    assert f"Prometheus at {url} does not answer" in capsys.readouterr().err
