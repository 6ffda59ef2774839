"""The dashboards (grafana/dashboards/*.json, from dashboards.py): every query parses and reads only the
conventions' metrics, and a bad one is named by dashboard and panel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shopmonitoring.conventions import load_catalogue
from shopmonitoring.dashboards import SERVICES, PanelSpec, Query, all_dashboards, build
from shopmonitoring.validate import query_problems

from .helpers import MONITORING, require_promtool

DASHBOARDS = MONITORING / "grafana" / "dashboards"


def test_every_panel_query_parses_and_reads_only_conventions_metrics() -> None:
    require_promtool()

    assert query_problems(all_dashboards(), load_catalogue()) == []


def test_there_is_an_overview_a_saga_an_emulators_and_one_dashboard_per_service() -> None:
    uids = {json.loads(path.read_text())["uid"] for path in DASHBOARDS.glob("*.json")}

    assert uids == {"shop-overview", "shop-saga", "shop-emulators"} | {f"shop-service-{s}" for s in SERVICES}


@pytest.mark.parametrize("path", sorted(DASHBOARDS.glob("*.json")), ids=lambda p: p.name)
def test_every_panel_queries_the_chosen_prometheus_data_source(path: Path) -> None:
    model = json.loads(path.read_text())
    variables = {v["name"]: v for v in model["templating"]["list"]}

    assert variables["datasource"]["query"] == "prometheus"
    for panel in model["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
            assert panel["targets"], f"{path.name}: panel {panel['title']!r} has no query"


def test_a_query_that_does_not_parse_is_named_by_dashboard_and_panel() -> None:
    require_promtool()
    broken = build(
        "shop-broken",
        "Broken",
        "a dashboard with one bad query",
        {"Row": [PanelSpec("Unclosed", "short", (Query("sum(rate(http_requests_total[5m])", "x"),))]},
    )

    problems = query_problems([broken], load_catalogue())

    assert any(p.startswith("dashboard shop-broken, panel 'Unclosed': does not parse") for p in problems)
    assert any("promtool" in p and "panel 'Unclosed'" in p for p in problems), problems


def test_a_query_reading_a_metric_outside_the_conventions_is_named() -> None:
    require_promtool()
    stray = build(
        "shop-stray",
        "Stray",
        "a dashboard reading an unlisted metric",
        {
            "Row": [
                PanelSpec(
                    "Invented", "short", (Query("sum(rate(order_invented_total[$__rate_interval]))", "x"),)
                )
            ]
        },
    )

    assert query_problems([stray], load_catalogue()) == [
        "dashboard shop-stray, panel 'Invented': reads ['order_invented_total'], "
        "not in docs/conventions.md nor recorded"
    ]
