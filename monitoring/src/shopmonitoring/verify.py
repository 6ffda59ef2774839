"""``shop-monitoring verify``: issue 20's Done-when, checked against a running Prometheus.

Every active scrape target must be up and every panel query of the committed dashboards
(grafana/dashboards/*.json) must return at least one series as an instant query. A query whose target
carries ``emptyUntil`` (dashboards.py's ``Query.empty_until``) may be empty: it has no series until that
event happens, so its reason is printed instead of a failure. Exit 0 when all is well, 1 naming each target
down and each empty query, 2 when Prometheus does not answer. ``--wait`` retries until it passes, as a
freshly started platform needs a scrape cycle or two.

The dashboard reading, the Grafana variable substitution and the Prometheus HTTP API here are shared with
``render.py``.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

from shopmonitoring.dashboards import EMPTY_UNTIL

DASHBOARDS = Path(__file__).resolve().parents[2] / "grafana" / "dashboards"
WINDOW = "5m"  # the range of rate()/increase() in the instant queries: long enough for a few scrapes
EXIT_OK, EXIT_PROBLEMS, EXIT_UNREACHABLE = 0, 1, 2


# --- dashboards --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    ref_id: str
    expr: str
    legend: str
    empty_until: str


@dataclass(frozen=True)
class GridPos:
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Panel:
    title: str
    kind: str  # Grafana's panel type: timeseries, stat, row
    unit: str
    grid: GridPos
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class DashboardFile:
    path: Path
    uid: str
    title: str
    panels: tuple[Panel, ...]  # rows included, in the order of the JSON
    variables: Mapping[str, str]  # the dashboard's own template variables with their current value

    def query_panels(self) -> list[Panel]:
        return [panel for panel in self.panels if panel.kind != "row"]


def _flatten(panels: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _flatten(panel.get("panels", []))  # the panels of a collapsed row


def _variables(model: Mapping[str, Any]) -> dict[str, str]:
    """Template variables that can appear in a query, at their saved value (``All`` as any value).

    The ``datasource`` variable only picks the data source, which is the Prometheus given here."""
    values: dict[str, str] = {}
    for variable in model.get("templating", {}).get("list", []):
        if variable.get("type") == "datasource":
            continue
        current = variable.get("current", {}).get("value", "")
        chosen = current if isinstance(current, list) else [current]
        values[variable["name"]] = ".*" if "$__all" in chosen else "|".join(str(value) for value in chosen)
    return values


def load_dashboard(path: Path) -> DashboardFile:
    try:
        model = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON: {error}") from error
    panels = tuple(
        Panel(
            title=panel.get("title", ""),
            kind=panel.get("type", ""),
            unit=panel.get("fieldConfig", {}).get("defaults", {}).get("unit", ""),
            grid=GridPos(**{key: int(panel.get("gridPos", {}).get(key, 0)) for key in "xywh"}),
            targets=tuple(
                Target(
                    target.get("refId", ""),
                    target.get("expr", ""),
                    target.get("legendFormat", ""),
                    target.get(EMPTY_UNTIL, ""),
                )
                for target in panel.get("targets", [])
            ),
        )
        for panel in _flatten(model.get("panels", []))
    )
    return DashboardFile(path, model["uid"], model.get("title", model["uid"]), panels, _variables(model))


def load_dashboards(directory: Path) -> list[DashboardFile]:
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise FileNotFoundError(f"no dashboard JSON in {directory}")
    return [load_dashboard(path) for path in paths]


# --- Grafana's variables -----------------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def seconds(duration: str) -> float:
    """A Prometheus duration (``90s``, ``5m``, ``1h30m``) in seconds."""
    parts = _DURATION.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"not a duration: {duration!r} (e.g. 30s, 5m, 1h)")
    return sum(int(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def duration(value: float) -> str:
    """Seconds as a Prometheus duration, whole seconds (``300`` -> ``300s``)."""
    return f"{max(1, round(value))}s"


def instant_variables(window: float) -> dict[str, str]:
    """Grafana's built-in interval variables for one instant query: every range is the window."""
    return {
        "__rate_interval": duration(window),
        "__interval": duration(window),
        "__range": duration(window),
        "__rate_interval_ms": str(round(window * 1000)),
        "__interval_ms": str(round(window * 1000)),
        "__range_s": str(round(window)),
        "__range_ms": str(round(window * 1000)),
    }


def range_variables(span: float, step: float, scrape_interval: float) -> dict[str, str]:
    """Grafana's built-in variables for a range query, as Grafana computes them: ``$__rate_interval`` is
    max(``$__interval`` + scrape interval, 4 x scrape interval), so that each rate() sees four samples."""
    rate_interval = max(step + scrape_interval, 4 * scrape_interval)
    return {
        "__rate_interval": duration(rate_interval),
        "__interval": duration(step),
        "__range": duration(span),
        "__rate_interval_ms": str(round(rate_interval * 1000)),
        "__interval_ms": str(round(step * 1000)),
        "__range_s": str(round(span)),
        "__range_ms": str(round(span * 1000)),
    }


class UnknownVariableError(ValueError):
    pass


def substitute(expr: str, variables: Mapping[str, str]) -> str:
    """``expr`` with its ``$name`` / ``${name}`` / ``[[name]]`` variables replaced; an unknown one raises
    rather than sending Prometheus a query it would misread."""

    def value(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        if name not in variables:
            raise UnknownVariableError(f"unknown template variable ${name}")
        return variables[name]

    return _VARIABLE.sub(value, expr)


# --- Prometheus's HTTP API ---------------------------------------------------------------------------------


class PrometheusUnreachableError(Exception):
    """Prometheus did not answer (nothing listens, or not Prometheus)."""


class QueryError(Exception):
    """Prometheus answered the query with an error (bad PromQL, timeout)."""


@dataclass(frozen=True)
class ScrapeTarget:
    job: str
    instance: str
    health: str  # up, down, unknown (not scraped yet)
    last_error: str

    @property
    def up(self) -> bool:
        return self.health == "up"


class PrometheusApi:
    def __init__(self, url: str, timeout: float = 5.0) -> None:
        """``timeout`` for an answer; a connection is given at most 5 s, so that a Prometheus that is not
        there is reported in seconds."""
        self.url = url.rstrip("/")
        self._client = httpx.Client(
            base_url=f"{self.url}/api/v1", timeout=httpx.Timeout(timeout, connect=min(5.0, timeout))
        )

    def close(self) -> None:
        self._client.close()

    def _get(self, path: str, **params: str) -> Any:
        try:
            response = self._client.get(path, params=params)
        except httpx.TransportError as error:
            raise PrometheusUnreachableError(
                f"Prometheus at {self.url} does not answer: {error!r}"
            ) from error
        try:
            body = response.json()
        except ValueError as error:
            raise PrometheusUnreachableError(
                f"{self.url}/api/v1/{path} answered {response.status_code} without JSON: not Prometheus?"
            ) from error
        if body.get("status") != "success":
            raise QueryError(f"{body.get('errorType', response.status_code)}: {body.get('error', '')}")
        return body["data"]

    def targets(self) -> list[ScrapeTarget]:
        return [
            ScrapeTarget(
                t["labels"].get("job", ""), t["labels"].get("instance", ""), t["health"], t["lastError"]
            )
            for t in self._get("targets", state="active")["activeTargets"]
        ]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The series of an instant query (a scalar or string result counts as one)."""
        data = self._get("query", query=expr)
        return list(data["result"]) if data["resultType"] in ("vector", "matrix") else [data]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        data = self._get("query_range", query=expr, start=str(start), end=str(end), step=str(step))
        return list(data["result"])


# --- the check ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryResult:
    dashboard: str
    panel: str
    ref_id: str
    expr: str
    series: int
    empty_until: str
    error: str = ""

    @property
    def where(self) -> str:
        return f"dashboard {self.dashboard}, panel {self.panel!r}, query {self.ref_id}"

    @property
    def problem(self) -> str:
        if self.error:
            return f"{self.where}: {self.error}"
        if self.series == 0 and not self.empty_until:
            return f"{self.where}: no data: {' '.join(self.expr.split())}"
        return ""


@dataclass
class Report:
    prometheus: str
    targets: list[ScrapeTarget] = field(default_factory=list)
    queries: list[QueryResult] = field(default_factory=list)

    def problems(self) -> list[str]:
        down = [
            f"target {t.job} ({t.instance}) is {t.health}" + (f": {t.last_error}" if t.last_error else "")
            for t in self.targets
            if not t.up
        ]
        if not self.targets:
            down.append(f"Prometheus at {self.prometheus} has no active scrape target")
        return down + [q.problem for q in self.queries if q.problem]

    def lines(self) -> Iterator[str]:
        yield f"Prometheus {self.prometheus}: {len(self.targets)} active targets"
        for t in self.targets:
            error = f"  last error: {t.last_error}" if t.last_error else ""
            yield f"  {'up' if t.up else t.health.upper():7} {t.job:16} {t.instance}{error}"
        dashboard = ""
        for q in self.queries:
            if q.dashboard != dashboard:
                dashboard = q.dashboard
                yield f"dashboard {dashboard}"
            if q.error:
                state = f"ERROR   {q.error}"
            elif q.series:
                state = f"ok      {q.series} series"
            elif q.empty_until:
                state = f"empty   allowed: no data until {q.empty_until}"
            else:
                state = "EMPTY   no data"
            yield f"  {q.panel!r} [{q.ref_id}] {state}"


def check(api: PrometheusApi, dashboards: Iterable[DashboardFile], window: float) -> Report:
    """One pass: the targets, then every panel query as an instant query.

    Raises ``PrometheusUnreachableError`` when Prometheus does not answer."""
    report = Report(api.url, api.targets())
    builtins = instant_variables(window)
    for dashboard in dashboards:
        variables = {**dashboard.variables, **builtins}
        for panel in dashboard.query_panels():
            for target in panel.targets:
                series, error = 0, ""
                try:
                    series = len(api.query(substitute(target.expr, variables)))
                except (UnknownVariableError, QueryError) as failure:
                    error = str(failure)
                report.queries.append(
                    QueryResult(
                        dashboard.uid,
                        panel.title,
                        target.ref_id,
                        target.expr,
                        series,
                        target.empty_until,
                        error,
                    )
                )
    return report


def verify(
    prometheus: str,
    directory: Path = DASHBOARDS,
    wait: float = 0,
    window: float = seconds(WINDOW),
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Check until it passes or ``wait`` seconds are over; print the last report (to ``out``, the problems
    to ``err``: stdout and stderr by default). Returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        dashboards = load_dashboards(directory)
    except (OSError, ValueError, KeyError) as unreadable:
        print(f"FAIL dashboards: {unreadable}", file=err)
        return EXIT_PROBLEMS
    deadline = time.monotonic() + wait
    api = PrometheusApi(prometheus)
    try:
        while True:
            try:
                report: Report | str = check(api, dashboards, window)
            except PrometheusUnreachableError as unreachable:
                report = str(unreachable)
            problems = report.problems() if isinstance(report, Report) else [report]
            if not problems or time.monotonic() >= deadline:
                break
            print(f"waiting: {len(problems)} problems, first: {problems[0]}", file=err)
            time.sleep(min(2.0, max(0.0, deadline - time.monotonic())))
    finally:
        api.close()
    if isinstance(report, str):
        print(report, file=err)
        return EXIT_UNREACHABLE
    for line in report.lines():
        print(line, file=out)
    for problem in problems:
        print(f"FAIL {problem}", file=err)
    return EXIT_PROBLEMS if problems else EXIT_OK
