"""A real telemetry-emulator process on a free port, shared by the tests of a module, and the real
OpenTelemetry SDK wired to export into it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from emulator_common.testing import launched

# The shared helper module (`telemetry_exporting`) is imported by name from the test modules.
sys.path.insert(0, str(Path(__file__).parent))


@dataclass(frozen=True)
class RunningReceiver:
    port: int
    http: httpx.Client

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def receiver() -> Iterator[RunningReceiver]:
    with launched("telemetry_emulator.cli", "--http-port", "0") as running:
        port = running.port("http_port")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
            yield RunningReceiver(port, http)
        assert running.stop() == 0


@pytest.fixture(autouse=True)
def empty_receiver(request: pytest.FixtureRequest) -> None:
    if "receiver" in request.fixturenames:
        running: RunningReceiver = request.getfixturevalue("receiver")
        running.http.delete("/api/traces").raise_for_status()
        running.http.delete("/api/track").raise_for_status()
