"""Shared helpers of the monitoring tests: promtool on a rules file, and finding where a rule is named."""

from __future__ import annotations

from pathlib import Path

import pytest
from shopmonitoring.promql import promtool, run_promtool

MONITORING = Path(__file__).resolve().parents[1]
RULE_TESTS = sorted((MONITORING / "prometheus" / "rule-tests").glob("*.yml"))


def require_promtool() -> None:
    """promtool comes from Debian's `prometheus` package (`.ci/run` installs it)."""
    if not Path(promtool()).exists():
        pytest.fail(f"promtool not found at {promtool()}: apt-get install prometheus (or set PROMTOOL)")


def promtool_output(*args: str | Path) -> tuple[int, str]:
    require_promtool()
    done = run_promtool(*args)
    return done.returncode, done.stdout + done.stderr
