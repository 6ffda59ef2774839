"""The mailbox behind an admin token (a real process): reading and clearing need it, /health and the SMS
intake stay open, and a non-loopback address without one is refused at start."""

from __future__ import annotations

import httpx
import pytest
from emulator_common.testing import ServiceProcess, launched

# pragma: allowlist nextline secret (a test token)
TOKEN = "mailbox-admin-token-for-tests"
SMS = {"to": "+447700900123", "body": "Your order shipped"}


def test_with_a_token_reading_needs_it_and_the_intake_stays_open() -> None:
    env = {"MAILBOX_TOKEN": TOKEN}
    args = ("--host", "0.0.0.0", "--smtp-port", "0", "--http-port", "0", "--admin-token-env", "MAILBOX_TOKEN")
    with (
        launched("mailbox_emulator.cli", *args, env=env) as running,
        httpx.Client(base_url=f"http://127.0.0.1:{running.port('http_port')}", timeout=10) as http,
    ):
        health = http.get("/health")
        intake = http.post("/api/sms", json=SMS)
        anonymous = http.get("/api/sms")
        wrong = http.get("/", headers={"Authorization": "Bearer nope"})
        admin = http.get("/api/sms", headers={"Authorization": f"Bearer {TOKEN}"})

    assert (health.status_code, intake.status_code) == (200, 201)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert anonymous.json()["field"] == "Authorization"
    assert wrong.status_code == 403
    assert [sms["body"] for sms in admin.json()["messages"]] == [SMS["body"]]


def test_a_non_loopback_host_without_a_token_refuses_to_start() -> None:
    process = ServiceProcess(
        "mailbox_emulator.cli", "--host", "0.0.0.0", "--smtp-port", "0", "--http-port", "0"
    )

    with pytest.raises(RuntimeError, match="did not start"):
        process.start()

    assert process.process is not None
    assert process.process.returncode == 2
    assert any("EMULATOR_ADMIN_TOKEN" in line for line in process.lines)


def test_an_oversized_sms_is_413_problem_json(mailbox) -> None:
    response = mailbox.http.post(
        "/api/sms", content=b"x" * (65 * 1024), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert mailbox.http.get("/health").status_code == 200
