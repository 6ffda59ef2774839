"""The short set of the matrix (experiments tagged `short`) against a real platform: each passes with every
invariant holding, and the run leaves its journals, its report, and no fault rule or paused process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from conftest import RunningPlatform


def test_short_experiments_pass_and_leave_nothing_behind(platform: RunningPlatform, tmp_path: Path) -> None:
    done = platform.chaos("run", "--short", "--results", str(tmp_path))
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    (run,) = tmp_path.iterdir()
    journals = sorted(p.name for p in run.glob("*.journal.json"))
    assert journals == ["product-down-checkout.journal.json", "servicebus-duplicate-delivery.journal.json"]
    for journal in run.glob("*.journal.json"):
        content = json.loads(journal.read_text())
        assert (content["status"], content["deviated"]) == ("completed", False), journal.name
    report = (run / "report.md").read_text()
    assert "2 of 2 experiments passed." in report
    assert report.count("| 8/8 hold | pass |") == 2

    state = json.loads(platform.workspace.state_path.read_text())["components"]
    for emulator in ("servicebus", "eventhubs"):
        admin = f"http://127.0.0.1:{state[emulator]['ports']['http']}"
        assert httpx.get(f"{admin}/faults").json()["rules"] == [], emulator
    assert [name for name, c in state.items() if c["status"] != "ready"] == []
