"""A few seconds of the real user mix against the real platform: every request and every saga succeeds,
and the HTML, CSV and JSON results are written. (No thresholds: figures on a shared CI box mean little.)"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from shopctl.testing import LaunchedPlatform
from shoploads import routes

ShopLoad = Callable[..., subprocess.CompletedProcess[str]]


def test_smoke_run_has_zero_errors_and_writes_its_results(
    platform: LaunchedPlatform, shop_load: ShopLoad, tmp_path: Path
) -> None:
    done = shop_load(
        "smoke", "--state-dir", str(platform.state_dir), "--no-start", "--results", str(tmp_path)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((tmp_path / "smoke" / "summary.json").read_text(encoding="utf-8"))
    measured = summary["measured"]
    assert measured["failures"] == 0, measured
    assert measured["entries"][routes.POST_ORDER]["requests"] > 0
    assert measured["entries"][routes.SAGA]["requests"] > 0
    assert measured["entries"][routes.SAGA]["p95_ms"] > 0
    assert routes.LIST_PRODUCTS in measured["entries"] or routes.GET_PRODUCT in measured["entries"]
    for written in ("report.html", "stats_stats.csv", "stats_stats_history.csv", "stats_failures.csv"):
        assert (tmp_path / "smoke" / written).stat().st_size > 0, written
