"""The servicebus emulator's admin API behind a token, as the process serves it: entity and fault routes need
it, /health and /metrics stay open; a wildcard address without a token is refused at start."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from emulator_common.testing import ServiceProcess, launched

CONFIG = str(Path(__file__).parents[1] / "config" / "platform.json")
# pragma: allowlist nextline secret (a test token)
TOKEN = "servicebus-admin-token-for-tests"
ARGS = ("--config", CONFIG, "--host", "0.0.0.0", "--amqp-port", "0", "--http-port", "0")


def test_admin_routes_need_the_token_and_probes_stay_open() -> None:
    with (
        launched("servicebus_emulator.cli", *ARGS, env={"EMULATOR_ADMIN_TOKEN": TOKEN}) as running,
        httpx.Client(base_url=f"http://127.0.0.1:{running.port('http_port')}", timeout=10) as http,
    ):
        anonymous = http.get("/entities")
        wrong = http.get("/faults", headers={"Authorization": "Bearer not-the-token"})
        admin = http.get("/entities", headers={"Authorization": f"Bearer {TOKEN}"})
        health = http.get("/health")
        metrics = http.get("/metrics")

    assert (anonymous.status_code, wrong.status_code, admin.status_code) == (401, 403, 200)
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert (health.status_code, metrics.status_code) == (200, 200)
    assert "servicebus_connections" in metrics.text


def test_a_wildcard_address_without_a_token_refuses_to_start() -> None:
    process = ServiceProcess("servicebus_emulator.cli", *ARGS, env={"EMULATOR_ADMIN_TOKEN": ""})

    with pytest.raises(RuntimeError, match="did not start"):
        process.start()

    assert process.process is not None
    assert process.process.returncode == 2
    assert any("EMULATOR_ADMIN_TOKEN" in line for line in process.lines)
