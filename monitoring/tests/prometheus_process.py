"""A real Prometheus (Debian's /usr/bin/prometheus) for the tests: our generated config on a free port,
stopped at the end."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from shopmonitoring.prometheus_runner import PROMETHEUS, prometheus_argv
from shopmonitoring.scrape import write_config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningPrometheus:
    url: str
    log: Path

    def is_ready(self) -> bool:
        """Prometheus answers 503 on its API until it has loaded its config and storage."""
        with contextlib.suppress(httpx.TransportError):
            return httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200
        return False

    def api(self, path: str, **params: str) -> Any:
        response = httpx.get(f"{self.url}/api/v1/{path}", params=params, timeout=10)
        response.raise_for_status()
        return response.json()["data"]

    def targets(self) -> dict[str, dict[str, Any]]:
        """job -> its active target (health, lastError)."""
        return {t["labels"]["job"]: t for t in self.api("targets")["activeTargets"]}

    def query(self, expr: str) -> list[dict[str, Any]]:
        return list(self.api("query", query=expr)["result"])

    def wait_for(self, what: str, check: Any, within: float = 30) -> Any:
        deadline = time.monotonic() + within
        while True:
            seen = check()
            if seen:
                return seen
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Prometheus: {what} not seen within {within} s; log:\n{self.log.read_text()[-3000:]}"
                )
            time.sleep(0.3)


@contextlib.contextmanager
def prometheus(config: Mapping[str, Any], workdir: Path) -> Iterator[RunningPrometheus]:
    if not Path(PROMETHEUS).exists():
        pytest.fail(
            f"{PROMETHEUS} not found: apt-get install prometheus (Debian's package; .ci/run installs it)"
        )
    port = free_port()
    config_file = write_config(workdir / "prometheus.yml", config)
    log = workdir / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            prometheus_argv(PROMETHEUS, config_file, workdir, f"127.0.0.1:{port}"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = RunningPrometheus(f"http://127.0.0.1:{port}", log)
    try:

        def ready() -> bool:
            assert process.poll() is None, f"Prometheus exited:\n{log.read_text()}"
            return running.is_ready()

        running.wait_for("/-/ready", ready)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
