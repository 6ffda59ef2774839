"""The app in its uvicorn server over real sockets, with short deadlines: an oversized body is a 413
problem and the server keeps serving; a client too slow with its request head or body is cut off."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import uvicorn
from product_service.main import create_app
from product_service.server import server_config
from product_service.settings import Settings
from servicekit_testing.raw_http import converse_async

DEADLINE = 0.5
MAX_BODY = 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def port(settings_for: Callable[..., Settings]) -> AsyncIterator[int]:
    settings = settings_for(
        port=_free_port(),
        max_json_body_bytes=MAX_BODY,
        request_head_timeout_seconds=DEADLINE,
        request_body_timeout_seconds=DEADLINE,
    )
    server = uvicorn.Server(server_config(create_app(settings), settings))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done(), "the server stopped while starting"
        await asyncio.sleep(0.05)
    try:
        yield settings.port
    finally:
        server.should_exit = True
        await serving


async def test_an_oversized_body_is_413_problem_json_and_the_server_keeps_serving(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        response = await http.post(
            "/products", content=b"x" * (MAX_BODY + 1), headers={"Content-Type": "application/json"}
        )
        health = await http.get("/health")

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert health.status_code == 200


async def test_a_get_declaring_an_oversized_body_is_413_too(port: int) -> None:
    head = b"GET /products HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY + 1)
    answer, _ = await converse_async(port, head + b"x" * (MAX_BODY + 1))

    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert b"application/problem+json" in answer


async def test_a_chunked_body_over_the_limit_is_413_while_it_is_read(port: int) -> None:
    head = b"POST /reservations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"%x\r\n%s\r\n" % (MAX_BODY + 1, b"x" * (MAX_BODY + 1))
    answer, _ = await converse_async(port, head + chunk + b"0\r\n\r\n")

    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert answer.count(b"HTTP/1.1") == 1


async def test_a_request_without_origin_is_answered_whole_and_varying_on_origin(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    first_read = await asyncio.wait_for(reader.read(65536), timeout=5)
    writer.close()

    head, _, body = first_read.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"\r\nvary: Origin" in head
    assert body.startswith(b'{"status"')


async def test_a_request_head_sent_too_slowly_is_cut_off(port: int) -> None:
    answer, elapsed = await converse_async(port, b"GET /health HTTP/1.1\r\nHost: x\r\n")

    assert answer == b""
    assert elapsed < DEADLINE + 2


async def test_a_head_after_a_kept_alive_response_has_the_same_deadline(port: int) -> None:
    first = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    answer, elapsed = await converse_async(port, first + b"GET /health HTTP/1.1\r\n")

    assert answer.startswith(b"HTTP/1.1 200")
    assert answer.count(b"HTTP/1.1") == 1
    assert elapsed < DEADLINE + 2


async def test_a_body_sent_too_slowly_is_408_problem_json(port: int) -> None:
    head = (
        b"POST /products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    answer, elapsed = await converse_async(port, head + b'{"name":')

    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b"application/problem+json" in answer
    assert elapsed < DEADLINE + 2


async def test_a_request_head_trickled_byte_by_byte_is_cut_off_at_the_same_deadline(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()

    async def trickle() -> None:
        with contextlib.suppress(ConnectionError):  # the server hangs up mid-trickle
            for byte in b"GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"x" * 1000:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.05)

    sending = asyncio.create_task(trickle())
    answer = await asyncio.wait_for(reader.read(), timeout=5)
    sending.cancel()
    writer.close()

    assert answer == b""
    assert time.monotonic() - started < DEADLINE + 2
