"""A promotion script waiting on the stand-in continues on approve, stops on reject and on timeout.

The script runs as a real process (`shop-await-release-approval`); the release manager decides through
the stand-in's HTTP API while it waits.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent


def start_wait(url: str, manifest: dict[str, Any], tmp_path: Path, timeout: float) -> subprocess.Popen[str]:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    return subprocess.Popen(
        [
            str(BIN / "shop-await-release-approval"),
            "--url",
            url,
            "--manifest",
            str(path),
            "--timeout",
            str(timeout),
            "--interval",
            "0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until_pending(url: str, release_id: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if httpx.get(f"{url}/releases/{release_id}").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError(f"{release_id} never submitted")


def test_approval_lets_the_promotion_continue(
    standin: str, new_manifest: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    manifest = new_manifest()
    waiter = start_wait(standin, manifest, tmp_path, timeout=30)
    wait_until_pending(standin, manifest["releaseId"])
    assert waiter.poll() is None, "the gate must wait while the request is pending"
    httpx.post(
        f"{standin}/releases/{manifest['releaseId']}/approve", json={"approver": "rm", "comment": "ship"}
    )
    output, _ = waiter.communicate(timeout=10)
    assert waiter.returncode == 0, output
    assert "approved by rm: ship" in output


def test_rejection_stops_the_promotion(
    standin: str, new_manifest: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    manifest = new_manifest()
    waiter = start_wait(standin, manifest, tmp_path, timeout=30)
    wait_until_pending(standin, manifest["releaseId"])
    httpx.post(
        f"{standin}/releases/{manifest['releaseId']}/reject", json={"approver": "rm", "comment": "bug"}
    )
    output, _ = waiter.communicate(timeout=10)
    assert waiter.returncode == 1, output
    assert "rejected by rm: bug" in output


def test_no_decision_before_the_timeout_stops_the_promotion(
    standin: str, new_manifest: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    manifest = new_manifest()
    started = time.monotonic()
    waiter = start_wait(standin, manifest, tmp_path, timeout=1.0)
    output, _ = waiter.communicate(timeout=15)
    assert waiter.returncode == 2, output
    assert "timeout: no decision" in output
    assert time.monotonic() - started >= 1.0
    assert httpx.get(f"{standin}/releases/{manifest['releaseId']}").json()["status"] == "pending"


def test_an_invalid_manifest_is_an_error_not_an_approval(
    standin: str, new_manifest: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    waiter = start_wait(standin, new_manifest(commit="not-a-sha"), tmp_path, timeout=5)
    output, _ = waiter.communicate(timeout=15)
    assert waiter.returncode == 3
    assert "/commit" in output
