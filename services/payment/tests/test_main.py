"""The real ``payment-service`` process (gunicorn) over a socket: serves, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_payment_service_serves_ready_and_stops_on_sigterm(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "api.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "payment-service")],
            env={**os.environ, **env, "PAYMENT_PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        assert response.status_code == 200, response.text
        assert httpx.get(f"http://127.0.0.1:{port}/payments/ord_x", timeout=5).status_code == 404
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    assert code == 0, log_path.read_text()


def test_the_entry_point_leaves_the_app_and_the_sdks_to_the_workers() -> None:
    # The gunicorn master runs only what `payment_service.main` imports; the app is built in each worker.
    heavy = ["flask", "azure.core", "azure.servicebus", "azure.data.tables", "opentelemetry"]
    probe = f"import sys, payment_service.main; print([m for m in {heavy!r} if m in sys.modules])"

    imported = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert imported.stdout.strip() == "[]"
