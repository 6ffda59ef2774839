"""``GET /openapi.json``: the hand-written document (api/openapi.py) names every route the aiohttp app
serves and nothing else, and the app's real answers are valid against it. The schemathesis runs in
contract-tests/schemathesis test the running service against the same document."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from jsonschema import Draft202012Validator
from notification_service.api.http import HttpDeps, build_app
from notification_service.api.openapi import openapi_document
from notification_service.domain.models import LogEntry
from notification_service.metrics import Metrics

SENT = LogEntry(
    "ord_1", "e1", "email", "sent", "ada@example.com", "Hi", "PAID", None, datetime(2026, 1, 1, tzinfo=UTC)
)
TEXTED = LogEntry("ord_1", "e1", "sms", "rejected", "+447700900123", None, "PAID", "refused", SENT.at)


async def _history(order_id: str) -> list[LogEntry]:
    return [SENT, TEXTED] if order_id == "ord_1" else []


async def _ok() -> None:
    return None


def _app(consuming: bool = True) -> web.Application:
    event = asyncio.Event()
    if consuming:
        event.set()
    return build_app(HttpDeps(Metrics(), _history, {"tableStorage": _ok}, event))


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    server = TestServer(_app(), host="127.0.0.1", port=0)
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}"
    await server.close()


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def check_against_document(path: str, method: str, response: httpx.Response) -> None:
    """The answer's status, media type and body are what the document says for this operation."""
    document = openapi_document()
    answers = document["paths"][path][method]["responses"]
    assert str(response.status_code) in answers, f"{method.upper()} {path}: {response.status_code}"
    content = answers[str(response.status_code)]["content"]
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in content, f"{method.upper()} {path}: {media_type}"
    schema = content[media_type]["schema"]
    if media_type.endswith("json"):
        validator = Draft202012Validator(
            {**schema, "components": document["components"]},
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        validator.validate(response.json())


def test_document_names_every_route_the_app_serves_and_no_other() -> None:
    served = {
        (route.method, route.resource.canonical)
        for route in _app().router.routes()
        if route.method != "HEAD" and route.resource is not None
    }

    assert served == documented_operations(openapi_document())


async def test_served_document_is_the_documents(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.get("/openapi.json")

    assert response.status_code == 200
    assert response.json() == openapi_document()
    assert response.json()["openapi"].startswith("3.1")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/notifications", {"orderId": "ord_1"}),
        ("/notifications", {"orderId": "ord_none"}),
        ("/notifications", {}),
        ("/notifications", {"orderId": "x" * 129}),
        ("/health", {}),
        ("/ready", {}),
        ("/metrics", {}),
        ("/openapi.json", {}),
    ],
)
async def test_answers_are_valid_against_the_document(
    base_url: str, path: str, params: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.get(path, params=params)

    check_against_document(path, "get", response)


async def test_not_ready_answer_is_valid_against_the_document() -> None:
    server = TestServer(_app(consuming=False), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{server.port}/ready")
    finally:
        await server.close()

    assert response.status_code == 503
    check_against_document("/ready", "get", response)
