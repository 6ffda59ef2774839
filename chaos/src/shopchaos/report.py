"""The run's Markdown report: one line per experiment (fault, orders in flight, invariants, pass/fail,
recovery time), then each failed experiment's broken invariants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shopchaos.runlog import RunLog


@dataclass(frozen=True)
class Row:
    experiment: str
    title: str
    fault: str
    in_flight: int | None
    invariants: str
    passed: bool
    recovery_seconds: float | None
    status: str  # the Chaos Toolkit journal's status, "deviated" when the hypothesis broke
    details: list[str] = field(default_factory=list)

    @classmethod
    def from_run(cls, experiment: str, title: str, journal: dict[str, Any], log: RunLog) -> Row:
        report = log.invariants or {}
        results = report.get("results") or []
        broken = [r for r in results if not r.get("holds")]
        if not results:
            invariants = "not checked"
        elif broken:
            invariants = "broken: " + ", ".join(str(r["name"]) for r in broken)
        else:
            invariants = f"{len(results)}/{len(results)} hold"
        status = "deviated" if journal.get("deviated") else str(journal.get("status"))
        failed_steps = [run for run in journal.get("run") or [] if run.get("status") == "failed"]
        passed = status == "completed" and bool(results) and not broken and not failed_steps
        details = [str(report.get("printed", ""))] if broken else []
        if failed_steps and status == "completed":
            status = "step failed"
        details += [_failed_activity(run) for run in failed_steps]
        return cls(
            experiment,
            title,
            "; ".join(log.faults) or "none",
            max(log.in_flight) if log.in_flight else None,
            invariants,
            passed,
            log.recovery_seconds,
            status,
            details,
        )


def _failed_activity(run: dict[str, Any]) -> str:
    trace = run.get("exception") or [""]
    return f"{run['activity'].get('name')} failed: {str(trace[-1]).strip()}"


def markdown(rows: list[Row], header: str) -> str:
    lines = [
        f"# Chaos run {header}",
        "",
        f"{sum(r.passed for r in rows)} of {len(rows)} experiments passed.",
        "",
        "| experiment | fault | orders in flight | invariants | result | recovery |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        recovery = f"{row.recovery_seconds:.1f} s" if row.recovery_seconds is not None else "-"
        flight = str(row.in_flight) if row.in_flight is not None else "-"
        result = "pass" if row.passed else f"FAIL ({row.status})"
        lines.append(
            f"| {row.experiment} | {row.fault} | {flight} | {row.invariants} | {result} | {recovery} |"
        )
    for row in rows:
        if row.details:
            lines += ["", f"## {row.experiment}: {row.title}", "", "```", *row.details, "```"]
    return "\n".join(lines) + "\n"
