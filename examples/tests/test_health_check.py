"""examples/scripts/health-check.py: ruff and mypy (strict) on the script; the script itself against the
local platform started by shopctl.testing (product and what it needs): exit 0 and a table; against the same
service once stopped: a non-zero exit naming it. In step with harness/platform.yaml and
scripts/ops/environments.yaml (services, ports, /health and /ready paths)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from examples_testing import HEALTH_CHECK, REPO_ROOT, broken_copy, health_check_drift
from shopctl.platform import Platform
from shopctl.testing import launched

BIN = REPO_ROOT / ".venv" / "bin"
# Quick retries: a healthy platform answers at once; a stopped one must fail within seconds, not minutes.
FAST = ["--attempts", "2", "--backoff", "0.1", "--timeout", "2"]


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, check=False, timeout=60
    )


def _tool(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=120)


def test_script_passes_ruff() -> None:
    for result in (
        _tool(str(BIN / "ruff"), "check", str(HEALTH_CHECK)),
        _tool(str(BIN / "ruff"), "format", "--check", str(HEALTH_CHECK)),
    ):
        assert result.returncode == 0, result.stdout + result.stderr


def test_script_passes_mypy_strict() -> None:
    result = _tool(str(BIN / "mypy"), "--strict", str(HEALTH_CHECK))
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_fails_a_copy_with_a_type_error_naming_it(tmp_path: Path) -> None:
    copy = broken_copy(HEALTH_CHECK, tmp_path, "Answer(int(response.status))", "Answer(str(response.status))")
    result = _tool(str(BIN / "mypy"), "--strict", str(copy))
    assert result.returncode != 0
    assert f"{copy}:" in result.stdout, result.stdout


def _platform_without_seed(directory: Path) -> Path:
    """harness/platform.yaml as it is, but product starts with an empty catalog: the health check needs the
    service running, not the 112 demo products, whose seed would take most of the start."""
    platform = yaml.safe_load((REPO_ROOT / "harness" / "platform.yaml").read_text())
    platform["root"] = str(REPO_ROOT)
    platform["components"]["product"]["env"]["PRODUCT_SEED_ON_START"] = "false"
    path = directory / "platform.yaml"
    path.write_text(yaml.safe_dump(platform, sort_keys=False))
    return path


def test_script_reports_the_running_platform_healthy_and_a_stopped_service_by_name(tmp_path: Path) -> None:
    with launched("product", platform_file=_platform_without_seed(tmp_path)) as platform:
        service = f"product=http://127.0.0.1:{platform.port('product')}"
        healthy = _run(HEALTH_CHECK, "--service", service, *FAST)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    table = healthy.stdout.splitlines()
    assert table[0].split() == ["service", "check", "result", "status", "attempts", "detail"]
    assert [row.split()[:4] for row in table[1:3]] == [
        ["product", "/health", "ok", "200"],
        ["product", "/ready", "ok", "200"],
    ]
    # The platform is stopped now: the same service no longer answers.
    stopped = _run(HEALTH_CHECK, "--service", service, *FAST)
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    assert "unhealthy: product" in stopped.stderr
    assert [row.split()[:3] for row in stopped.stdout.splitlines()[1:3]] == [
        ["product", "/health", "FAIL"],
        ["product", "/ready", "FAIL"],
    ]


def test_example_is_in_step_with_the_platform_and_the_ops_health_check(shop_platform: Platform) -> None:
    assert health_check_drift(HEALTH_CHECK, shop_platform) == []


def test_in_step_fails_when_a_path_differs(tmp_path: Path, shop_platform: Platform) -> None:
    copy = broken_copy(HEALTH_CHECK, tmp_path, 'READY = "/ready"', 'READY = "/readyz"')
    problems = health_check_drift(copy, shop_platform)
    assert any(p.startswith(f"{copy}: product checks ('/health', '/readyz')") for p in problems), problems


def test_in_step_fails_when_a_port_differs(tmp_path: Path, shop_platform: Platform) -> None:
    copy = broken_copy(HEALTH_CHECK, tmp_path, '"http://127.0.0.1:8002"', '"http://127.0.0.1:8012"')
    problems = health_check_drift(copy, shop_platform)
    assert f"{copy}: order on port 8012, harness/platform.yaml 8002" in problems
