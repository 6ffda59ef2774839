"""The real ``payment-service`` process (gunicorn) against careless and hostile clients, over sockets: an
oversized body is a 413 problem, a client too slow with its request head or body is cut off after
``PAYMENT_REQUEST_TIMEOUT_SECONDS``, and the server keeps serving throughout. The worker's aiohttp
operations server, in process: 413 problem+json, slow request heads cut off."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from payment_service.api.worker_ops import MAX_BODY_BYTES as OPS_MAX_BODY_BYTES
from payment_service.api.worker_ops import start_ops_server
from payment_service.metrics import WorkerMetrics
from servicekit_testing.raw_http import converse
from shopctl.testing import LaunchedPlatform

REPO = Path(__file__).resolve().parents[3]
TIMEOUT_SECONDS = 1.0
MAX_BODY_BYTES = 2048


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def api(platform: LaunchedPlatform, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    directory = tmp_path_factory.mktemp("limits")
    port = _free_port()
    env = {
        **os.environ,
        "PAYMENT_ENVIRONMENT": "development",
        "PAYMENT_PORT": str(port),
        "PAYMENT_SERVICEBUS_CONNECTION_STRING": (
            f"Endpoint=sb://127.0.0.1:{platform.port('servicebus', 'amqp')};SharedAccessKeyName="
            "RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
        ),
        "PAYMENT_TABLES_CONNECTION_STRING": platform.azurite_connection_string("table"),
        # pragma: allowlist nextline secret (the local gateway simulator's test key)
        "PAYMENT_GATEWAY_API_KEY": "sk_test_local",
        "PAYMENT_GATEWAY_STATE_PATH": str(directory / "gateway.sqlite3"),
        "PAYMENT_AUTH_MODE": "dev",
        "PAYMENT_AUTH_DEV_SIGNING_KEY": "test-signing-key-that-is-long-enough-0123456789",
        "PAYMENT_CONTRACTS_DIR": str(REPO / "contract-tests" / "messages"),
        "PAYMENT_REQUEST_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
        "PAYMENT_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
        "PAYMENT_WEB_THREADS": "2",
    }
    log_path = directory / "api.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "payment-service")],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _health(port: int) -> int:
    return httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code


def test_an_oversized_body_is_413_problem_json_and_the_server_keeps_serving(api: int) -> None:
    response = httpx.post(
        f"http://127.0.0.1:{api}/payments/ord_1/refund",
        content=b"{" + b" " * MAX_BODY_BYTES + b"}",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"the request body exceeds {MAX_BODY_BYTES} bytes"
    assert _health(api) == 200


def test_a_request_head_sent_too_slowly_is_cut_off(api: int) -> None:
    answer, elapsed = converse(api, b"GET /health HTTP/1.1\r\nHost: x\r\n")

    assert answer == b""
    assert elapsed < TIMEOUT_SECONDS + 2
    assert _health(api) == 200


def test_a_body_sent_too_slowly_is_408_problem_json(api: int) -> None:
    head = b"POST /payments/ord_1/refund HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    answer, elapsed = converse(api, head + b"Content-Length: 100\r\n\r\n{")

    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b"application/problem+json" in answer
    assert elapsed < TIMEOUT_SECONDS + 2


def test_slow_clients_do_not_hold_the_threads(api: int) -> None:
    # More stalled clients than the two threads: each is cut off in turn, and then the server answers.
    stalled = [socket.create_connection(("127.0.0.1", api), timeout=10) for _ in range(4)]
    for sock in stalled:
        sock.sendall(b"GET /health HTTP/1.1\r\n")
    started = time.monotonic()

    status = httpx.get(f"http://127.0.0.1:{api}/health", timeout=10).status_code
    waited = time.monotonic() - started

    assert status == 200
    assert waited < TIMEOUT_SECONDS * 2 + 2
    for sock in stalled:
        sock.close()


async def _tables() -> None:
    return None


async def test_worker_ops_refuse_a_body_with_413_and_cut_off_a_slow_head() -> None:
    runner = await start_ops_server(
        "127.0.0.1", 0, WorkerMetrics(), asyncio.Event(), _tables, header_timeout=TIMEOUT_SECONDS
    )
    port = int(runner.addresses[0][1])
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            refused = await http.request("GET", "/health", content=b"x" * (OPS_MAX_BODY_BYTES + 1))
        answer, elapsed = await asyncio.to_thread(converse, port, b"GET /health HTTP/1.1\r\n")
    finally:
        await runner.cleanup()

    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/problem+json"
    assert answer == b""
    assert elapsed < TIMEOUT_SECONDS + 2
