"""The stand-in process against careless and hostile clients, over sockets: a body over the limit is a
413 problem and the server keeps serving; a connection that goes silent is closed after the idle timeout."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from servicekit_testing.raw_http import converse
from shoppower.approvals.server import MAX_BODY_BYTES

IDLE = 0.5


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [str(Path(sys.executable).parent / "release-approvals-standin"), "--port", str(port)]
    process = subprocess.Popen([*command, "--idle-timeout", str(IDLE)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except httpx.TransportError:
            assert process.poll() is None, "the stand-in exited"
            assert time.monotonic() < deadline, "the stand-in did not start in 15 s"
            time.sleep(0.05)
    yield port
    process.terminate()
    _, stderr = process.communicate(timeout=10)
    assert b"Traceback" not in stderr, stderr.decode()


def test_a_body_over_the_limit_is_413_problem_json_and_the_server_keeps_serving(port: int) -> None:
    response = httpx.post(
        f"http://127.0.0.1:{port}/releases",
        content=b"{" + b" " * MAX_BODY_BYTES + b"}",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/body-too-large")
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(b"GET /healthz HTTP/1.1\r\nHost: x\r\n", id="head"),
        pytest.param(b"POST /releases HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{", id="body"),
    ],
)
def test_a_connection_that_goes_silent_is_closed(port: int, sent: bytes) -> None:
    answer, elapsed = converse(port, sent)

    assert answer == b""
    assert elapsed < IDLE + 2
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
