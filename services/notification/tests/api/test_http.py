"""The HTTP app in-process (aiohttp test server on a free port) over a real socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from aiohttp.test_utils import TestServer
from notification_service.api.http import HttpDeps, build_app
from notification_service.domain.models import LogEntry
from notification_service.metrics import Metrics

ENTRY = LogEntry(
    "ord_1", "e1", "email", "sent", "ada@example.com", "Hi", "PAID", None, datetime(2026, 1, 1, tzinfo=UTC)
)


async def _history(order_id: str) -> list[LogEntry]:
    return [ENTRY] if order_id == "ord_1" else []


async def _ok() -> None:
    return None


async def _down() -> None:
    raise ConnectionError("refused")


TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    consuming = asyncio.Event()
    consuming.set()
    deps = HttpDeps(Metrics(), _history, {"tableStorage": _ok, "blobStorage": _down}, consuming)
    server = TestServer(build_app(deps), host="127.0.0.1", port=0)
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}"
    await server.close()


async def test_notifications_lists_the_orders_log(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base_url}/notifications", params={"orderId": "ord_1"})
    assert response.status_code == 200
    assert response.json()["notifications"][0]["recipient"] == "ada@example.com"
    assert "traceparent" in response.headers


@pytest.mark.parametrize("params", [{}, {"orderId": "x" * 200}])
async def test_notifications_without_valid_order_id_is_problem_naming_it(
    base_url: str, params: dict[str, str]
) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base_url}/notifications", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == "orderId"


async def test_ready_names_the_dependency_that_is_down(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base_url}/ready")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {
        "status": "unavailable",
        "checks": {
            "tableStorage": {"status": "ok"},
            "blobStorage": {"status": "unavailable", "error": "ConnectionError: refused"},
            "eventHubs": {"status": "ok"},
        },
    }


async def test_ready_waits_for_the_consumer() -> None:
    deps = HttpDeps(Metrics(), _history, {"tableStorage": _ok}, asyncio.Event())
    server = TestServer(build_app(deps), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{server.port}/ready")
    finally:
        await server.close()
    assert response.status_code == 503
    assert response.json()["checks"]["eventHubs"] == {
        "status": "unavailable",
        "error": "not consuming order-events yet",
    }


async def test_health_is_ok_with_no_checks(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base_url}/health")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"status": "ok", "checks": {}}


async def test_metrics_count_every_request_by_route_and_keep_the_trace(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        listed = await client.get(
            "/notifications", params={"orderId": "ord_1"}, headers={"traceparent": TRACEPARENT}
        )
        await client.get("/nope")
        await client.get("/health")
        text = (await client.get("/metrics")).text
    assert listed.headers["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
    assert 'http_requests_total{method="GET",route="/notifications",status="200"} 1.0' in text
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert 'http_requests_total{method="GET",route="/health",status="200"} 1.0' in text
    assert 'http_request_duration_seconds_count{method="GET",route="/notifications",status="200"} 1.0' in text
    assert "notification_http_" not in text


async def test_unknown_route_is_problem_json(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base_url}/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_wrong_method_is_405_problem_naming_the_allowed_ones(base_url: str) -> None:
    # schemathesis (unsupported_method check, exploratory run): the 405 problem dropped `Allow`.
    async with httpx.AsyncClient() as client:
        response = await client.request("TRACE", f"{base_url}/notifications")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
