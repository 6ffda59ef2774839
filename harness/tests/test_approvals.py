"""`shopctl approvals` (shopctl.approvals, tested directly until cli.py wires it) against the real
release-approval stand-in process: list, approve while a promotion gate waits, reject, refusals."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from shopctl import approvals
from shopctl.ports import free_port
from shopctl.workspace import Workspace

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def standin() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "release-approvals-standin"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="shopctl")
    sub = parser.add_subparsers(dest="command", required=True)
    approvals.add_parser(sub)
    return parser.parse_args(["approvals", *argv])


def shopctl_approvals(url: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()

    def no_workspace() -> Workspace:
        raise AssertionError("the URL was given; the workspace must not be opened")

    code = approvals.main(parse("--url", url, *argv), no_workspace, environ={}, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def manifest(release_id: str) -> dict[str, Any]:
    return {
        "releaseId": release_id,
        "environment": "test",
        "images": [{"image": "contoso-shop/order", "digest": "sha256:" + "c" * 64}],
        "commit": "abcdef1",
        "requestedBy": "pipeline",
        "pipelineRunUrl": "https://github.com/contoso/shop/actions/runs/1",
    }


def test_approve_while_a_promotion_gate_waits(standin: str, tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest("rel-cli-approve")))
    gate = subprocess.Popen(
        [
            str(BIN / "shop-await-release-approval"),
            "--url",
            standin,
            "--manifest",
            str(path),
            "--timeout",
            "30",
            "--interval",
            "0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 10
    while "rel-cli-approve" not in shopctl_approvals(standin, "list", "--status", "pending")[1]:
        assert time.monotonic() < deadline, "the gate never submitted its manifest"
        time.sleep(0.05)
    code, out, _ = shopctl_approvals(standin, "approve", "rel-cli-approve", "--as", "rm", "-m", "ship it")
    assert (code, out.strip()) == (0, "release rel-cli-approve approved by rm")
    output, _ = gate.communicate(timeout=10)
    assert gate.returncode == 0, output
    listing = shopctl_approvals(standin, "list")[1].splitlines()
    assert listing[0].split()[:3] == ["releaseId", "environment", "status"]
    assert any(line.startswith("rel-cli-approve") and " approved " in line for line in listing)


def test_reject_then_second_decision_is_refused(standin: str) -> None:
    httpx.post(f"{standin}/releases", json=manifest("rel-cli-reject"))
    assert shopctl_approvals(standin, "reject", "rel-cli-reject", "--as", "rm")[0] == 0
    code, _, err = shopctl_approvals(standin, "approve", "rel-cli-reject", "--as", "other")
    assert code == approvals.EXIT_REFUSED
    assert "already rejected" in err


def test_unknown_release_is_refused_with_the_service_message(standin: str) -> None:
    code, _, err = shopctl_approvals(standin, "approve", "rel-missing", "--as", "rm")
    assert code == approvals.EXIT_REFUSED
    assert "Unknown release" in err
    assert "rel-missing" in err


def test_unreachable_service_is_reported() -> None:
    code, _, err = shopctl_approvals(f"http://127.0.0.1:{free_port()}", "list")
    assert code == approvals.EXIT_UNREACHABLE
    assert "unreachable" in err


def test_default_url_is_the_platform_approvals_component(tmp_path: Path) -> None:
    workspace = Workspace.open(REPO / "harness" / "platform.yaml", str(tmp_path / ".shop"))
    url = approvals.service_url(parse("list"), lambda: workspace, environ={})
    assert url == "http://127.0.0.1:7075"
    assert (
        approvals.service_url(parse("list"), lambda: workspace, {approvals.URL_ENV: "http://x"}) == "http://x"
    )
