"""The HTTP server (``start_server``) over real sockets with short deadlines: a body over the limit is a
413 problem and the server keeps serving; a client too slow with its request head or body is cut off."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from notification_service.api.http import MAX_BODY_BYTES, HttpDeps, build_app, start_server
from notification_service.domain.models import LogEntry
from notification_service.metrics import Metrics
from servicekit_testing.raw_http import converse_async

DEADLINE = 0.5


async def _history(order_id: str) -> list[LogEntry]:
    return []


@pytest.fixture
async def port() -> AsyncIterator[int]:
    deps = HttpDeps(Metrics(), _history, {}, asyncio.Event())
    runner = await start_server(
        build_app(deps, body_timeout=DEADLINE), "127.0.0.1", 0, header_timeout=DEADLINE
    )
    yield int(runner.addresses[0][1])
    await runner.cleanup()


async def test_a_body_over_the_limit_is_413_problem_json_and_the_server_keeps_serving(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        response = await http.request(
            "GET", "/notifications?orderId=ord_1", content=b"x" * (MAX_BODY_BYTES + 1)
        )
        health = await http.get("/health")

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert health.status_code == 200


async def test_a_request_head_sent_too_slowly_is_cut_off(port: int) -> None:
    answer, elapsed = await converse_async(port, b"GET /health HTTP/1.1\r\nHost: x\r\n")

    assert answer == b""
    assert elapsed < DEADLINE + 2


async def test_a_body_sent_too_slowly_is_408_problem_json(port: int) -> None:
    answer, elapsed = await converse_async(
        port, b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nx"
    )

    assert answer.startswith(b"HTTP/1.1 408")
    assert b"application/problem+json" in answer
    assert elapsed < DEADLINE + 2
