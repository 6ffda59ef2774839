"""Fixtures: the Power BI push stand-in as a real process, OrderStatusChanged events from the contract's
example, free ports."""

from __future__ import annotations

import copy
import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[3]
CONTRACTS = REPO / "contract-tests" / "messages"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not healthy within {seconds} s")


@pytest.fixture(scope="session")
def push_standin() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "powerbi-push-standin"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{url}/health", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def status_changed(status: str = "PAID", **data: Any) -> dict[str, Any]:
    envelope: dict[str, Any] = copy.deepcopy(
        json.loads((CONTRACTS / "examples" / "OrderStatusChanged.v1.json").read_text())
    )
    order_id = f"ord_{uuid.uuid4().hex[:10]}"
    envelope["id"] = str(uuid.uuid4())
    envelope["correlationId"] = order_id
    envelope["data"].update(orderId=order_id, status=status, **data)
    envelope["data"]["customer"] = {"email": f"{uuid.uuid4().hex[:8]}@Example.COM", "name": "Ada Lovelace"}
    return envelope
