"""The ``product-service`` console script: a real uvicorn process on a free port, JSON logs, graceful stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from shopctl.ports import free_port

SCRIPT = Path(sys.executable).with_name("product-service")


@pytest.fixture
def server(settings_for, process_env):
    settings = settings_for()
    port = free_port()
    env = process_env(settings, PRODUCT_HOST="127.0.0.1", PRODUCT_PORT=str(port))
    process = subprocess.Popen(
        [str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("product-service did not become healthy")
        yield base, process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_console_script_serves_then_stops_cleanly_on_sigterm(server):
    base, process = server
    ready = httpx.get(f"{base}/ready", timeout=5)
    missing = httpx.get(
        f"{base}/products/none",
        headers={"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
    )

    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=20)

    assert ready.status_code == 200
    assert missing.status_code == 404
    # uvicorn re-raises the signal after its graceful shutdown, so the exit status reports SIGTERM.
    assert process.returncode in (0, -signal.SIGTERM)
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("route") == "/products/{product_id}"]
    assert access
    assert access[0]["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert access[0]["status"] == 404
    assert any(line["message"] == "product service stopped" for line in lines)
    # Once started, the process froze its start-up objects for the garbage collector (servicekit.heap).
    settled = [line for line in lines if line["message"] == "garbage collector settled"]
    assert len(settled) == 1
    assert settled[0]["frozen_objects"] > 10_000


def test_console_script_refuses_to_start_without_configuration():
    env = {key: value for key, value in os.environ.items() if not key.startswith("PRODUCT_")}

    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30, cwd="/")

    assert result.returncode != 0
    assert "cosmos_endpoint" in result.stderr
