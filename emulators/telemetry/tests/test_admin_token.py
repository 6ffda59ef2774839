"""The receiver behind an admin token (a real process): reading and clearing need it; /health, /metrics and
the ingestion endpoints stay open; a non-loopback address without one is refused at start."""

from __future__ import annotations

import httpx
import pytest
from emulator_common.testing import ServiceProcess, launched
from telemetry_exporting import otlp_tracer

# pragma: allowlist nextline secret (a test token)
TOKEN = "telemetry-admin-token-for-tests"


def test_with_a_token_reading_and_clearing_need_it_and_ingestion_stays_open() -> None:
    env = {"TELEMETRY_TOKEN": TOKEN}
    args = ("--host", "0.0.0.0", "--http-port", "0", "--admin-token-env", "TELEMETRY_TOKEN")
    with launched("telemetry_emulator.cli", *args, env=env) as running:
        url = f"http://127.0.0.1:{running.port('http_port')}"
        with otlp_tracer(url, "order") as tracer:
            tracer.start_span("POST /orders").end()
        with httpx.Client(base_url=url, timeout=10) as http:
            health = http.get("/health")
            metrics = http.get("/metrics")
            track = http.post("/v2.1/track", json=[])
            anonymous = http.get("/api/traces")
            anonymous_clear = http.delete("/api/traces")
            wrong = http.get("/", headers={"Authorization": "Bearer nope"})
            admin = http.get("/api/traces", headers={"Authorization": f"Bearer {TOKEN}"})

    assert (health.status_code, metrics.status_code, track.status_code) == (200, 200, 200)
    assert "telemetry_spans_received_total 1.0" in metrics.text
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert anonymous.json()["field"] == "Authorization"
    assert anonymous_clear.status_code == 401
    assert wrong.status_code == 403
    assert [t["rootSpan"]["name"] for t in admin.json()["traces"]] == ["POST /orders"]


def test_a_non_loopback_host_without_a_token_refuses_to_start() -> None:
    process = ServiceProcess("telemetry_emulator.cli", "--host", "0.0.0.0", "--http-port", "0")

    with pytest.raises(RuntimeError, match="did not start"):
        process.start()

    assert process.process is not None
    assert process.process.returncode == 2
    assert any("EMULATOR_ADMIN_TOKEN" in line for line in process.lines)
