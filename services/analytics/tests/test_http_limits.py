"""Both HTTP servers of the package against careless and hostile clients, over real sockets: the Power BI
stand-in process (413 in Power BI's error shape, silent connections closed after ``--idle-timeout``) and
the service's own /health and /metrics app (413 problem+json, slow heads cut off)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from analytics_service.counters import Counters
from analytics_service.main import MAX_BODY_BYTES, http_app
from analytics_service.standin.server import BASE
from analytics_service.standin.server import MAX_BODY_BYTES as STANDIN_MAX_BODY_BYTES
from servicekit_testing.raw_http import converse

DEADLINE = 0.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def standin_port() -> Iterator[int]:
    port = _free_port()
    command = [str(Path(sys.executable).parent / "powerbi-push-standin"), "--port", str(port)]
    process = subprocess.Popen([*command, "--idle-timeout", str(DEADLINE)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            break
        except httpx.TransportError:
            assert process.poll() is None, "the stand-in exited"
            assert time.monotonic() < deadline, "the stand-in did not start in 15 s"
            time.sleep(0.05)
    yield port
    process.terminate()
    _, stderr = process.communicate(timeout=10)
    assert b"Traceback" not in stderr, stderr.decode()


@pytest.fixture
async def service_port() -> AsyncIterator[int]:
    runner = web.AppRunner(http_app(Counters()), keepalive_timeout=DEADLINE)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield int(runner.addresses[0][1])
    await runner.cleanup()


def test_standin_refuses_a_body_over_the_limit_with_413_and_keeps_serving(standin_port: int) -> None:
    response = httpx.post(
        f"http://127.0.0.1:{standin_port}{BASE}/datasets",
        content=b"{" + b" " * STANDIN_MAX_BODY_BYTES + b"}",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "RequestEntityTooLarge"
    assert httpx.get(f"http://127.0.0.1:{standin_port}/health", timeout=5).status_code == 200


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(b"GET /health HTTP/1.1\r\nHost: x\r\n", id="head"),
        pytest.param(f"POST {BASE}/datasets HTTP/1.1\r\nContent-Length: 50\r\n\r\n{{".encode(), id="body"),
    ],
)
def test_standin_closes_a_connection_that_goes_silent(standin_port: int, sent: bytes) -> None:
    answer, elapsed = converse(standin_port, sent)

    assert answer == b""
    assert elapsed < DEADLINE + 2


async def test_service_refuses_a_body_over_the_limit_with_413_problem_json(service_port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{service_port}") as http:
        response = await http.request("GET", "/health", content=b"x" * (MAX_BODY_BYTES + 1))
        health = await http.get("/health")

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert health.status_code == 200


async def test_service_cuts_off_a_request_head_sent_too_slowly(service_port: int) -> None:
    answer, elapsed = await asyncio.to_thread(converse, service_port, b"GET /health HTTP/1.1\r\n")

    assert answer == b""
    assert elapsed < DEADLINE + 2
