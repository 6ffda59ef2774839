"""The admin server's guard over real sockets: the admin token, the body size limit and the slow-client
timeouts (the server is started with short timeouts so the tests need not wait the real ones)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from emulator_common.admin_http import MAX_BODY_BYTES, AdminServer, create_admin_app
from emulator_common.faults import FaultRegistry
from emulator_common.testing import ServiceProcess, launched

PROBLEM = "application/problem+json"
# pragma: allowlist nextline secret (a test token)
TOKEN = "an-admin-token-for-tests-only"
SHORT = 0.5
RULE = {"entity": "orders", "operation": "send", "action": "detach"}


async def _metrics(request: web.Request) -> web.Response:
    return web.Response(text="servicebus_connections 0\n")


async def _serve(token: str | None) -> AdminServer:
    app = create_admin_app(FaultRegistry(seed=1), admin_token=token, body_timeout=SHORT)
    app.router.add_get("/metrics", _metrics)
    server = AdminServer(app, "127.0.0.1", 0, header_timeout=SHORT)
    await server.start()
    return server


@pytest.fixture
async def guarded() -> AsyncIterator[int]:
    server = await _serve(TOKEN)
    assert server.port is not None
    try:
        yield server.port
    finally:
        await server.close()


async def _request(port: int, method: str, path: str, **kwargs: object) -> tuple[int, str, dict[str, object]]:
    async with (
        aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http,
        http.request(method, path, **kwargs) as response,  # type: ignore[arg-type]
    ):
        body = await response.read()
        return response.status, response.content_type, json.loads(body) if body else {}


async def test_admin_route_without_a_token_is_401_naming_the_header(guarded: int) -> None:
    status, content_type, problem = await _request(guarded, "GET", "/faults")

    assert (status, content_type) == (401, PROBLEM)
    assert problem["field"] == "Authorization"
    assert "Bearer" in str(problem["detail"])


async def test_admin_route_with_a_wrong_token_is_403(guarded: int) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}x"}

    status, content_type, problem = await _request(guarded, "POST", "/faults", json=RULE, headers=headers)

    assert (status, content_type) == (403, PROBLEM)
    assert problem["detail"] == "the bearer token is not this server's admin token"


async def test_admin_route_with_the_token_is_served(guarded: int) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}

    status, _, rule = await _request(guarded, "POST", "/faults", json=RULE, headers=headers)

    assert status == 201
    assert rule["action"] == "detach"


async def test_health_and_metrics_stay_open_with_a_token(guarded: int) -> None:
    async with aiohttp.ClientSession(f"http://127.0.0.1:{guarded}") as http:
        async with http.get("/health") as health:
            assert health.status == 200
        async with http.get("/metrics") as metrics:
            assert metrics.status == 200


async def test_without_a_token_configured_admin_routes_are_open() -> None:
    server = await _serve(None)
    assert server.port is not None
    try:
        status, _, body = await _request(server.port, "GET", "/faults")
    finally:
        await server.close()

    assert (status, body) == (200, {"rules": []})


async def test_an_oversized_body_is_413_and_the_server_keeps_serving(guarded: int) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    oversized = b"{" + b" " * MAX_BODY_BYTES + b"}"

    status, content_type, problem = await _request(
        guarded, "POST", "/faults", data=oversized, headers=headers
    )
    after, _, _ = await _request(guarded, "GET", "/faults", headers=headers)

    assert (status, content_type) == (413, PROBLEM)
    assert str(MAX_BODY_BYTES) in str(problem["detail"])
    assert after == 200


async def test_a_body_sent_too_slowly_is_408_and_the_connection_closed(guarded: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", guarded)
    writer.write(
        b"POST /faults HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {TOKEN}\r\nContent-Length: 100\r\n\r\n".encode()
        + b'{"entity":'
    )
    await writer.drain()
    started = time.monotonic()

    answer = await asyncio.wait_for(reader.read(), timeout=5)
    writer.close()

    assert answer.startswith(b"HTTP/1.1 408")
    assert PROBLEM.encode() in answer
    assert time.monotonic() - started < SHORT + 2


async def test_a_request_head_sent_too_slowly_loses_its_connection(guarded: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", guarded)
    started = time.monotonic()
    writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # the head never ends
    await writer.drain()

    answer = await asyncio.wait_for(reader.read(), timeout=5)
    writer.close()

    assert answer == b""
    assert time.monotonic() - started < SHORT + 2
    status, _, _ = await _request(guarded, "GET", "/health")
    assert status == 200


async def test_a_request_head_trickled_byte_by_byte_is_cut_off_at_the_same_deadline(guarded: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", guarded)
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
    assert time.monotonic() - started < SHORT + 2


def test_a_wildcard_host_without_a_token_refuses_to_start_naming_the_variable(
    sample_args, sample_env
) -> None:
    process = ServiceProcess(
        "sample_emulator",
        *sample_args,
        "--host",
        "0.0.0.0",
        "--admin-token-env",
        "SAMPLE_TOKEN",
        env=sample_env,
    )

    with pytest.raises(RuntimeError, match="did not start"):
        process.start()

    assert process.process is not None
    assert process.process.returncode == 2
    assert any("SAMPLE_TOKEN" in line and "0.0.0.0" in line for line in process.lines)


def test_a_wildcard_host_with_a_token_starts_and_requires_it(sample_args, sample_env) -> None:
    env = {**sample_env, "EMULATOR_ADMIN_TOKEN": TOKEN}
    with launched("sample_emulator", *sample_args, "--host", "0.0.0.0", env=env) as running:
        port = running.port("http_port")
        without, _, _ = asyncio.run(_request(port, "GET", "/faults"))
        with_token, _, _ = asyncio.run(
            _request(port, "GET", "/faults", headers={"Authorization": f"Bearer {TOKEN}"})
        )

    assert (without, with_token) == (401, 200)
