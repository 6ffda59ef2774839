"""Bad input stops a run before any load is sent, in seconds, naming what is wrong: through `shop-load`
and through Locust itself (the gate's init hook)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

LOCUSTFILE = str(Path(__file__).resolve().parents[1] / "src" / "shoploads" / "locustfile.py")
LOCUST = str(Path(sys.executable).parent / "locust")
SHOP_LOAD = str(Path(sys.executable).parent / "shop-load")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens once the socket is closed


def _run(*command: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(list(command), capture_output=True, text=True, timeout=60, check=False)
    return done, time.monotonic() - started


def test_gate_refuses_a_bad_thresholds_file_before_looking_at_the_target(tmp_path: Path) -> None:
    bad = tmp_path / "thresholds.yaml"
    bad.write_text("endpoints:\n  GET /basket: {p95_ms: 100}\n", encoding="utf-8")
    host = f"http://127.0.0.1:{_closed_port()}"
    done, _ = _run(SHOP_LOAD, "gate", "--host", host, "--thresholds", str(bad), "--results", str(tmp_path))
    assert done.returncode == 2, done.stderr
    assert f"{bad}:2: unknown endpoint 'GET /basket'" in done.stderr
    assert host not in done.stderr  # refused before the target was tried
    assert not (tmp_path / "gate").exists()


def test_locust_itself_refuses_a_malformed_limit(tmp_path: Path) -> None:
    bad = tmp_path / "thresholds.yaml"
    bad.write_text("saga_p95_ms: fast\n", encoding="utf-8")
    done, _ = _run(
        LOCUST, "-f", LOCUSTFILE, "--headless", "--host", "http://127.0.0.1:1",
        "--thresholds", str(bad), "-t", "1s",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"{bad}:1: saga_p95_ms must be a number, got 'fast'" in done.stderr


def test_unreachable_target_fails_in_seconds_naming_its_url(tmp_path: Path) -> None:
    host = f"http://127.0.0.1:{_closed_port()}"
    done, seconds = _run(SHOP_LOAD, "smoke", "--host", host, "--results", str(tmp_path))
    assert done.returncode == 2, done.stderr
    assert f"product at {host}/health is unreachable" in done.stderr
    assert seconds < 10
    done, seconds = _run(LOCUST, "-f", LOCUSTFILE, "--headless", "--host", host, "-t", "30s")
    assert done.returncode == 2, done.stderr
    assert f"{host}/health is unreachable" in done.stderr
    assert seconds < 10


def test_unknown_target_file_is_refused(tmp_path: Path) -> None:
    done, _ = _run(SHOP_LOAD, "smoke", "--target", str(tmp_path / "staging.env"), "--results", str(tmp_path))
    assert done.returncode == 2
    assert "staging.env" in done.stderr
