"""Shared fixtures: the repo layout, the offline schemas, and the approvals stand-in as a real process."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

PACKAGE = Path(__file__).resolve().parents[1]
REPO = PACKAGE.parent
BIN = Path(sys.executable).parent
SCHEMAS = REPO.parent / "shared" / "schemas" / "power-platform"


@pytest.fixture(scope="session")
def schemas_dir() -> Path:
    if not SCHEMAS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"offline schemas missing at {SCHEMAS} (../shared/schemas from the repo root)")
        pytest.skip(f"offline schemas not found at {SCHEMAS} (../shared/schemas); CI fails instead")
    return SCHEMAS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_standin(state_file: Path | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [str(BIN / "release-approvals-standin"), "--host", "127.0.0.1", "--port", str(port)]
    if state_file is not None:
        command += ["--state-file", str(state_file)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.05)
        if process.poll() is not None:
            raise RuntimeError(f"stand-in exited: {process.stderr.read().decode() if process.stderr else ''}")
    process.kill()
    raise RuntimeError("approvals stand-in did not become healthy in 15 s")


@pytest.fixture(scope="session")
def standin() -> Iterator[str]:
    process, url = start_standin()
    yield url
    process.terminate()
    process.wait(timeout=10)


_counter = itertools.count()


def manifest(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "releaseId": f"rel-{uuid.uuid4().hex[:8]}-{next(_counter)}",
        "environment": "prod",
        "images": [
            {"image": "contosoacr.azurecr.io/contoso-shop/order", "digest": "sha256:" + "a" * 64},
            {"image": "contosoacr.azurecr.io/contoso-shop/product", "digest": "sha256:" + "b" * 64},
        ],
        # pragma: allowlist nextline secret (a commit id)
        "commit": "0123456789abcdef0123456789abcdef01234567",
        "requestedBy": "pipeline@contoso.example",
        "pipelineRunUrl": "https://dev.azure.com/contoso/shop/_build/results?buildId=42",
    }
    body.update(overrides)
    return body


ManifestFactory = Callable[..., dict[str, Any]]


@pytest.fixture
def new_manifest() -> ManifestFactory:
    """A release manifest with a unique release id (tests share one stand-in)."""
    return manifest
