from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from emulator_common.admin_http import AdminServer, ProblemError, create_admin_app
from emulator_common.faults import FaultRegistry

PROBLEM = "application/problem+json"


async def _boom(request: web.Request) -> web.Response:
    raise RuntimeError("unexpected")


async def _teapot(request: web.Request) -> web.Response:
    raise ProblemError(418, "I'm a teapot", "short and stout", field="spout")


@pytest.fixture
async def faults() -> FaultRegistry:
    return FaultRegistry(seed=1)


@pytest.fixture
async def http(faults: FaultRegistry) -> AsyncIterator[aiohttp.ClientSession]:
    app = create_admin_app(faults)
    app.router.add_get("/boom", _boom)
    app.router.add_get("/teapot", _teapot)
    server = AdminServer(app, "127.0.0.1", 0)
    port = await server.start()
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as session:
            yield session
    finally:
        await server.close()


async def test_health(http):
    async with http.get("/health") as response:
        assert response.status == 200
        assert (await response.json())["status"] == "healthy"


async def test_fault_lifecycle_over_http(http, faults):
    async with http.post(
        "/faults", json={"entity": "orders", "operation": "receive", "action": "detach"}
    ) as response:
        assert response.status == 201
        rule = await response.json()
    async with http.post(
        "/faults", json={"operation": "send", "action": "latency", "latency_ms": 10}
    ) as response:
        assert response.status == 201

    async with http.get(f"/faults/{rule['id']}") as response:
        assert (await response.json())["entity"] == "orders"
    async with http.delete(f"/faults/{rule['id']}") as response:
        assert response.status == 204
    async with http.get("/faults") as response:
        assert [r["operation"] for r in (await response.json())["rules"]] == ["send"]
    async with http.delete("/faults") as response:
        assert await response.json() == {"removed": 1}
    assert faults.rules() == []


async def test_removing_an_unknown_rule_is_a_404_problem(http):
    async with http.delete("/faults/99") as response:
        assert response.status == 404
        assert response.content_type == PROBLEM
        assert (await response.json(content_type=PROBLEM))["instance"] == "/faults/99"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"operation": "send", "action": "error", "probability": 2}, "probability"),
        ({"operation": "send", "action": "error", "colour": "red"}, "colour"),
        ({"action": "error"}, "operation"),
        ({"operation": "explode", "action": "error"}, "operation"),
        ({"operation": "send", "action": "latency"}, "(body)"),
    ],
)
async def test_bad_fault_bodies_are_problems_naming_the_field(http, body, field):
    async with http.post("/faults", json=body) as response:
        assert response.status == 400
        assert response.content_type == PROBLEM
        problem = await response.json(content_type=PROBLEM)
    assert problem["field"] == field
    assert problem["status"] == 400


async def test_non_json_body_is_a_problem(http):
    async with http.post(
        "/faults", data=b"{not json", headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
        assert "not valid JSON" in (await response.json(content_type=PROBLEM))["detail"]


async def test_unknown_route_and_crash_are_problems(http):
    async with http.get("/nowhere") as response:
        assert response.status == 404
        assert response.content_type == PROBLEM
    async with http.get("/boom") as response:
        assert response.status == 500
        assert (await response.json(content_type=PROBLEM))["title"] == "Internal Server Error"


async def test_handlers_raise_problems_with_fields(http):
    async with http.get("/teapot") as response:
        problem = await response.json(content_type=PROBLEM)
    assert (response.status, problem["field"], problem["detail"]) == (418, "spout", "short and stout")
