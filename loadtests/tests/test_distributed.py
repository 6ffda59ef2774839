"""Locust's master/worker mode on loopback: a master and two workers run the suite for a few seconds, both
workers report requests to the master, and the master's gate judges the merged figures (and fails the run
on a threshold no platform can meet, printing the measured value)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from shopctl.testing import LaunchedPlatform

ShopLoad = Callable[..., subprocess.CompletedProcess[str]]


def test_master_and_two_workers_both_report_and_the_gate_judges_the_merged_run(
    platform: LaunchedPlatform, shop_load: ShopLoad, tmp_path: Path
) -> None:
    impossible = tmp_path / "impossible.yaml"
    impossible.write_text("orders_per_second_min: 100000\nerror_rate_max: 0\n", encoding="utf-8")
    done = shop_load(
        "gate", "--workers", "2", "--users", "8", "--time", "5s",
        "--thresholds", str(impossible), "--state-dir", str(platform.state_dir), "--no-start",
        "--results", str(tmp_path),
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    summary = json.loads((tmp_path / "gate" / "summary.json").read_text(encoding="utf-8"))
    workers = summary["workers"]
    assert len(workers) == 2, workers
    assert all(requests > 0 for requests in workers.values()), workers
    assert 0 < summary["measured"]["requests"] <= sum(workers.values())
    assert "FAIL  orders/s (POST /orders 201)" in output
    assert ">= 100000" in output
    assert "PASS  error rate" in output
    assert "load gate: FAILED" in output
