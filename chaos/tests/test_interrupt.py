"""Ctrl-C in the middle of an experiment: the runner removes the fault rule it added and resumes the
component it paused, says so, and exits 130; also when it was started with SIGINT ignored (a script's
background job)."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import psutil
import pytest

if TYPE_CHECKING:
    from conftest import RunningPlatform

EXPERIMENT = """
title: held forever
description: a fault, a paused component, then a wait nobody sits through
method:
  - type: action
    name: busy-payment-requests
    provider:
      type: python
      module: shopchaos.faults
      func: add_fault
      arguments: {emulator: servicebus, entity: payment-requests, operation: send, action: error, seed: 7}
  - type: action
    name: freeze-mailbox
    provider:
      type: python
      module: shopchaos.processes
      func: pause
      arguments: {component: mailbox}
  - type: action
    name: wait-forever
    provider: {type: python, module: shopchaos.waits, func: wait, arguments: {seconds: 300}}
"""


@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["foreground", "started-with-sigint-ignored"])
def test_ctrl_c_removes_fault_rules_resumes_components_and_says_so(
    platform: RunningPlatform, tmp_path: Path, sigint_ignored: bool
) -> None:
    experiment = tmp_path / "held.yaml"
    experiment.write_text(EXPERIMENT)
    runner = platform.spawn_chaos(
        "run", str(experiment), "--results", str(tmp_path / "results"), sigint_ignored=sigint_ignored
    )
    assert runner.stdout is not None
    seen: list[str] = []
    while not any("Action: wait-forever" in line for line in seen):
        line = runner.stdout.readline()
        assert line, "".join(seen)
        seen.append(line)
    state = json.loads(platform.workspace.state_path.read_text())["components"]
    admin = f"http://127.0.0.1:{state['servicebus']['ports']['http']}"
    mailbox = psutil.Process(state["mailbox"]["pid"])
    rules = httpx.get(f"{admin}/faults").json()["rules"]
    assert len(rules) == 1
    assert mailbox.status() == psutil.STATUS_STOPPED

    runner.send_signal(signal.SIGINT)
    rest = runner.communicate(timeout=60)[0]
    assert runner.returncode == 130, rest
    assert "interrupted (Ctrl-C): put back what the run had changed:" in rest
    removed = f"removed fault rule {rules[0]['id']} from servicebus (error on payment-requests/send, p=1.0)"
    assert removed in rest
    assert "resumed mailbox (paused by the experiment)" in rest
    assert httpx.get(f"{admin}/faults").json()["rules"] == []
    time.sleep(0.2)
    assert mailbox.status() != psutil.STATUS_STOPPED
    health = f"http://127.0.0.1:{state['mailbox']['ports']['http']}/health"
    assert httpx.get(health, timeout=5).status_code == 200
    report = next((tmp_path / "results").glob("*/report.md")).read_text()
    assert "| held |" in report
