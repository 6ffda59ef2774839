"""What a replay prints and writes: a live line per scenario, a table at the end, the failures with the
step, expectation, observed value and order ids, and the same as JUnit XML and JSON.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from shopctl.render import table
from shopctl.scenarios.runner import ScenarioResult

_MARK = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}


def _orders_cell(result: ScenarioResult) -> str:
    return str(len(result.orders)) if result.outcome != "skipped" else "-"


def _latency_cell(result: ScenarioResult) -> str:
    figures = result.latency
    parts = []
    if figures.get("place_p95_ms") is not None:
        parts.append(f"place p95 {figures['place_p95_ms']:.0f} ms")
    if figures.get("settle_p95_s") is not None:
        parts.append(f"settle p95 {figures['settle_p95_s']:.1f} s")
    return ", ".join(parts) or "-"


@dataclass
class LiveProgress:
    """One line per scenario as it starts and ends; on a terminal, a status line of what is running."""

    stream: TextIO = field(default_factory=lambda: sys.stdout)
    width: int = 34
    done: list[ScenarioResult] = field(default_factory=list)
    _running: dict[str, str] = field(default_factory=dict)

    @property
    def tty(self) -> bool:
        return self.stream.isatty()

    def _print(self, line: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(line + "\n")
        self._status()

    def _status(self) -> None:
        if self.tty and self._running:
            running = "; ".join(f"{name}: {step}" for name, step in list(self._running.items())[:3])
            more = f" (+{len(self._running) - 3})" if len(self._running) > 3 else ""
            self.stream.write(f"\r\x1b[K  … {running}{more}"[:200])
        self.stream.flush()

    def started(self, name: str) -> None:
        self._running[name] = "starting"
        self._print(f"  ▸ {name:<{self.width}} started")

    def step(self, name: str, label: str) -> None:
        self._running[name] = label
        self._status()

    def finished(self, result: ScenarioResult) -> None:
        self._running.pop(result.name, None)
        self.done.append(result)
        mark = _MARK[result.outcome]
        if result.outcome == "skipped":
            self._print(f"  {mark:<5} {result.name:<{self.width}} {result.reason}")
            return
        orders = f"{len(result.orders)} order{'s' if len(result.orders) != 1 else ''}"
        self._print(f"  {mark:<5} {result.name:<{self.width}} {orders:>10} {result.seconds:7.1f} s")
        for failure in result.failures[:5]:
            self._print(f"        {failure.text()}")
        if len(result.failures) > 5:
            self._print(f"        ... and {len(result.failures) - 5} more")
        if result.error:
            self._print(f"        {result.error.splitlines()[0]}")


def summary_table(results: list[ScenarioResult]) -> str:
    rows = [
        [
            r.name,
            _orders_cell(r),
            _MARK[r.outcome],
            f"{r.seconds:.1f} s" if r.outcome != "skipped" else "-",
            _latency_cell(r),
        ]
        for r in results
    ]
    return table(["SCENARIO", "ORDERS", "RESULT", "TIME", "LATENCY (reported)"], rows)


def details(results: list[ScenarioResult]) -> str:
    """The failures and errors in full: step and line, expectation, expected, observed, orders."""
    lines: list[str] = []
    for result in results:
        if result.outcome not in ("failed", "error"):
            continue
        lines.append(f"{_MARK[result.outcome]} {result.name} ({result.loaded.file})")
        for failure in result.failures:
            lines.append(f"  {failure.step} (line {failure.line}) — {failure.expectation}")
            lines.append(f"      expected: {failure.expected}")
            lines.append(f"      observed: {failure.observed}")
            if failure.orders:
                lines.append(f"      order(s): {', '.join(failure.orders)}")
        if result.error:
            lines.extend(f"  {line}" for line in result.error.rstrip().splitlines())
        lines.append(f"  orders created: {', '.join(result.orders) or 'none'}")
        lines.extend(f"  note: {note}" for note in result.notes)
    return "\n".join(lines)


def totals(results: list[ScenarioResult]) -> dict[str, int]:
    counts = {"scenarios": len(results), "passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for result in results:
        counts[result.outcome] += 1
    return counts


def write_json(path: Path, results: list[ScenarioResult], meta: dict[str, Any]) -> None:
    document = {**meta, "totals": totals(results), "scenarios": [r.as_json() for r in results]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def write_junit(path: Path, results: list[ScenarioResult], meta: dict[str, Any]) -> None:
    counts = totals(results)
    seconds = sum(r.seconds for r in results)
    suite = ET.Element(
        "testsuite",
        name="shopctl replay",
        tests=str(counts["scenarios"]),
        failures=str(counts["failed"]),
        errors=str(counts["error"]),
        skipped=str(counts["skipped"]),
        time=f"{seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for key, value in meta.items():
        ET.SubElement(properties, "property", name=str(key), value=str(value))
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"scenarios.{result.loaded.file.stem}",
            name=result.name,
            file=str(result.loaded.file),
            time=f"{result.seconds:.3f}",
        )
        if result.outcome == "failed":
            first = result.failures[0]
            element = ET.SubElement(case, "failure", message=first.text(), type="ExpectationFailed")
            element.text = "\n".join(f.text() for f in result.failures)
        elif result.outcome == "error":
            element = ET.SubElement(
                case, "error", message=(result.error or "").splitlines()[0], type="ScenarioError"
            )
            element.text = result.error
        elif result.outcome == "skipped":
            ET.SubElement(case, "skipped", message=result.reason or "")
        out = [
            f"orders: {', '.join(result.orders) or 'none'}",
            f"latency: {_latency_cell(result)}",
            *result.notes,
        ]
        ET.SubElement(case, "system-out").text = "\n".join(out)
    root = ET.Element("testsuites", name="shopctl replay", tests=suite.get("tests", "0"))
    root.append(suite)
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
