"""/health, /ready and /metrics of the API and of the worker's operations endpoint (docs/conventions.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp.test_utils import TestServer
from flask import Flask
from flask.testing import FlaskClient
from payment_service.api.observability import route_template
from payment_service.api.worker_ops import build_ops_app
from payment_service.metrics import WorkerMetrics
from servicekit.health import awaiting

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_health_answers_without_touching_dependencies(client: FlaskClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "checks": {}}


def test_ready_when_table_storage_and_service_bus_answer(client: FlaskClient) -> None:
    response = client.get("/ready")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "status": "ok",
        "checks": {"tableStorage": {"status": "ok"}, "serviceBus": {"status": "ok"}},
    }


def test_ready_is_503_naming_the_dependency_that_fails(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused() -> None:
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(app.extensions["payment"].ledger, "ping", refused)

    response = client.get("/ready")

    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "checks": {
            "tableStorage": {"status": "unavailable", "error": "ConnectionRefusedError: connection refused"},
            "serviceBus": {"status": "ok"},
        },
    }


def test_metrics_count_every_request_by_route_template(client: FlaskClient) -> None:
    client.get("/payments/ord_missing")
    client.get("/nope")
    client.get("/health")

    text = client.get("/metrics").get_data(as_text=True)

    assert 'http_requests_total{method="GET",route="/payments/{order_id}",status="404"} 1.0' in text
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert 'http_requests_total{method="GET",route="/health",status="200"} 1.0' in text
    assert 'http_request_duration_seconds_count{method="GET",route="/health",status="200"} 1.0' in text
    assert "payment_http_" not in text


@pytest.mark.parametrize(
    ("rule", "template"),
    [
        ("/payments/<order_id>", "/payments/{order_id}"),
        ("/payments/<order_id>/refund", "/payments/{order_id}/refund"),
        ("/files/<path:name>", "/files/{name}"),
        ("/health", "/health"),
    ],
)
def test_route_template_is_the_openapi_form_of_a_flask_rule(rule: str, template: str) -> None:
    assert route_template(rule) == template


def test_unknown_route_is_problem_json(client: FlaskClient) -> None:
    response = client.get("/nope")

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.fixture
async def worker_ops() -> AsyncIterator[tuple[str, asyncio.Event]]:
    receiving = asyncio.Event()

    async def tables() -> None:
        return None

    checks = {"serviceBus": awaiting(receiving, "not receiving yet"), "tableStorage": tables}
    server = TestServer(build_ops_app(WorkerMetrics(), checks), host="127.0.0.1", port=0)
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}", receiving
    await server.close()


async def test_worker_is_ready_once_it_receives(worker_ops: tuple[str, asyncio.Event]) -> None:
    url, receiving = worker_ops
    async with httpx.AsyncClient(base_url=url) as http:
        before = await http.get("/ready")
        receiving.set()
        after = await http.get("/ready")
        health = await http.get("/health")

    assert before.status_code == 503
    assert before.json() == {
        "status": "unavailable",
        "checks": {
            "serviceBus": {"status": "unavailable", "error": "not receiving yet"},
            "tableStorage": {"status": "ok"},
        },
    }
    assert (after.status_code, after.json()["status"]) == (200, "ok")
    assert after.headers["content-type"] == "application/json; charset=utf-8"
    assert health.json() == {"status": "ok", "checks": {}}


async def test_worker_ops_count_every_request_and_keep_the_trace(
    worker_ops: tuple[str, asyncio.Event],
) -> None:
    url, _ = worker_ops
    async with httpx.AsyncClient(base_url=url) as http:
        missing = await http.get("/payments/ord_1", headers={"traceparent": TRACEPARENT})
        await http.get("/health")
        metrics = await http.get("/metrics")

    assert missing.status_code == 404
    assert missing.headers["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in metrics.text
    assert 'http_requests_total{method="GET",route="/health",status="200"} 1.0' in metrics.text
    assert "http_request_duration_seconds_bucket" in metrics.text


@pytest.mark.parametrize("path", ["/health", "/payments/ord_1", "/payments/ord_1/refund"])
def test_wrong_method_is_405_problem_naming_the_allowed_ones(client: FlaskClient, path: str) -> None:
    # schemathesis (unsupported_method check, exploratory run): the 405 problem dropped `Allow`.
    response = client.open(path, method="TRACE")

    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert response.headers["Allow"]
    assert "TRACE" not in response.headers["Allow"]
