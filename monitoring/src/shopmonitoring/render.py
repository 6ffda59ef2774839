"""``shop-monitoring render``: a dashboard drawn into a PNG from a running Prometheus, where no Grafana runs.

Each panel of the JSON becomes a matplotlib subplot at its place in Grafana's 24-column grid, titled as in
Grafana, with its unit on the y axis and a legend from the panel's legend format filled with the series'
labels. Time series panels plot a ``query_range`` over the range; stat panels print each series' last value.
Row headers are drawn as text. The queries' Grafana variables get the values Grafana would give them for
that range and step (verify.py's ``range_variables``).
"""

from __future__ import annotations

import math
import re
import textwrap
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.ticker import FuncFormatter, PercentFormatter

from shopmonitoring.verify import (
    DASHBOARDS,
    DashboardFile,
    Panel,
    PrometheusApi,
    QueryError,
    UnknownVariableError,
    load_dashboards,
    range_variables,
    seconds,
    substitute,
)

GRID_COLUMNS = 24  # Grafana's grid
POINTS = 240  # about the data points Grafana asks for a half-width panel
INCHES_PER_COLUMN = 0.75
INCHES_PER_ROW = 0.42
# Grafana's unit ids as an axis label; percentunit (0..1) is drawn as percent.
UNIT_LABELS = {"s": "seconds", "ms": "milliseconds", "reqps": "requests/s", "ops": "ops/s", "short": ""}
_LEGEND_LABEL = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True)
class Series:
    label: str
    times: npt.NDArray[np.datetime64]  # matplotlib gives such an axis a date locator
    values: list[float]


@dataclass(frozen=True)
class PanelData:
    panel: Panel
    series: list[Series]
    errors: list[str]


def legend(template: str, labels: dict[str, str]) -> str:
    """Grafana's legend format (``{{route}}``) filled with a series' labels; without one, the labels."""
    if template:
        return _LEGEND_LABEL.sub(lambda m: labels.get(m.group(1), ""), template)
    name = labels.get("__name__", "")
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{name}{{{inner}}}" if inner or not name else name


def _number(value: str) -> float:
    number = float(value)  # Prometheus sends NaN and +Inf as strings too
    return number if math.isfinite(number) else math.nan


@dataclass(frozen=True)
class TimeRange:
    start: float  # Unix seconds
    end: float
    label: str  # as asked, e.g. 15m

    def tick_format(self) -> str:
        return (
            "%H:%M:%S"
            if self.end - self.start <= 600
            else "%H:%M"
            if self.end - self.start <= 172800
            else "%m-%d %H:%M"
        )


def fetch(
    api: PrometheusApi, dashboard: DashboardFile, span: float, scrape_interval: float, end: float
) -> list[PanelData]:
    start = end - span
    step = max(scrape_interval, math.ceil(span / POINTS))
    variables = {**dashboard.variables, **range_variables(span, step, scrape_interval)}
    data = []
    for panel in dashboard.query_panels():
        series: list[Series] = []
        errors: list[str] = []
        for target in panel.targets:
            try:
                result = api.query_range(substitute(target.expr, variables), start, end, step)
            except (UnknownVariableError, QueryError) as failure:
                errors.append(f"{target.ref_id}: {failure}")
                continue
            for item in result:
                points: list[list[Any]] = item["values"]
                series.append(
                    Series(
                        legend(target.legend, item["metric"]),
                        np.array([round(float(t) * 1000) for t, _ in points], dtype="datetime64[ms]"),
                        [_number(v) for _, v in points],
                    )
                )
        data.append(PanelData(panel, series, errors))
    return data


def _empty_note(panel: Panel, errors: list[str], width: int) -> str:
    if errors:
        return "query error\n" + "\n".join(textwrap.fill(error, width) for error in errors)
    reasons = [textwrap.fill(t.empty_until, width) for t in panel.targets if t.empty_until]
    return "No data" + (f"\n(until {reasons[0]})" if reasons else "")


def _format_value(value: float, unit: str) -> str:
    if math.isnan(value):
        return "NaN"
    if unit == "percentunit":
        return f"{value * 100:.2f} %"
    suffix = UNIT_LABELS.get(unit, unit)
    return f"{value:.3g} {suffix}".rstrip()


def _draw_stat(axes: Axes, data: PanelData) -> None:
    axes.set_axis_off()
    lines = [f"{s.label}: {_format_value(s.values[-1], data.panel.unit)}" for s in data.series if s.values]
    axes.text(0.5, 0.5, "\n".join(lines), ha="center", va="center", fontsize=13, transform=axes.transAxes)


def _draw_timeseries(axes: Axes, data: PanelData, shown: TimeRange) -> None:
    for series in data.series:
        # a series of a few points (a fresh platform) would be invisible as a line alone
        marker = "o" if len(series.values) < 20 else ""
        axes.plot(series.times, series.values, label=series.label, linewidth=1.2, marker=marker, markersize=3)
    unit = data.panel.unit
    if unit == "percentunit":
        axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
        axes.set_ylabel("percent", fontsize=8)
    else:
        axes.set_ylabel(UNIT_LABELS.get(unit, unit), fontsize=8)
    # matplotlib's dates are days since the Unix epoch: the whole range is shown, as Grafana does
    axes.set_xlim(shown.start / 86400, shown.end / 86400)
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda days, _: datetime.fromtimestamp(days * 86400, UTC).strftime(shown.tick_format()))
    )
    axes.tick_params(labelsize=7)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="upper left")


def draw(dashboard: DashboardFile, data: list[PanelData], shown: TimeRange) -> Figure:
    """The figure: one subplot per panel at its grid place, row headers as text."""
    height = max((p.grid.y + p.grid.h for p in dashboard.panels), default=1)
    figure = Figure(figsize=(GRID_COLUMNS * INCHES_PER_COLUMN, height * INCHES_PER_ROW + 0.8), layout=None)
    grid = GridSpec(
        height,
        GRID_COLUMNS,
        figure=figure,
        hspace=0,
        wspace=0,
        left=0.01,
        right=0.99,
        bottom=0.01,
        top=1 - 0.6 / figure.get_figheight(),
    )
    figure.suptitle(f"{dashboard.title}  (last {shown.label}, UTC)", fontsize=14)
    for row in (p for p in dashboard.panels if p.kind == "row"):
        place = grid[row.grid.y, :].get_position(figure)
        figure.text(place.x0, place.y0, row.title, fontsize=12, fontweight="bold")
    for item in data:
        pos = item.panel.grid
        # within the panel's cells: the first row for the title, the last for the time ticks, the first
        # column for the y axis labels, so that neighbours do not overlap
        top, bottom = pos.y + 1, max(pos.y + 2, pos.y + pos.h - 1)
        left, right = min(pos.x + 1, GRID_COLUMNS - 1), max(pos.x + 2, min(pos.x + pos.w, GRID_COLUMNS))
        axes = figure.add_subplot(grid[top:bottom, left:right])
        axes.set_title(item.panel.title, fontsize=10)
        if not item.series:
            axes.set_axis_off()
            note = _empty_note(item.panel, item.errors, width=pos.w * 5)
            axes.text(0.5, 0.5, note, ha="center", va="center", fontsize=9)
        elif item.panel.kind == "stat":
            _draw_stat(axes, item)
        else:
            _draw_timeseries(axes, item, shown)
    return figure


def find(directory: Path, uid: str) -> DashboardFile:
    dashboards = load_dashboards(directory)
    for dashboard in dashboards:
        if dashboard.uid == uid:
            return dashboard
    known = ", ".join(d.uid for d in dashboards)
    raise LookupError(f"no dashboard {uid!r} in {directory} (there are: {known})")


def render(
    prometheus: str,
    uid: str,
    out: Path,
    span: str = "15m",
    scrape_interval: str = "5s",
    directory: Path = DASHBOARDS,
) -> Figure:
    """Draw dashboard ``uid`` over the last ``span`` (a duration) into ``out`` (PNG); returns the figure.
    ``scrape_interval`` is the data source's (Grafana's ``timeInterval``: 5 s locally). Raises
    ``verify.PrometheusUnreachableError`` when Prometheus does not answer."""
    dashboard = find(directory, uid)
    api = PrometheusApi(prometheus, timeout=30)  # a range query over a day takes a moment
    try:
        end = time.time()
        data = fetch(api, dashboard, seconds(span), seconds(scrape_interval), end)
    finally:
        api.close()
    figure = draw(dashboard, data, TimeRange(end - seconds(span), end, span))
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, format="png")
    return figure
