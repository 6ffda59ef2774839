"""Shared fixtures and factories: the real Cosmos DB server and Azurite (free ports, once per session), and
the app served in-process over httpx, each test with its own database and blob container."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from product_service.main import create_app
from product_service.settings import Settings
from servicekit.auth import mint_dev_token
from shopctl.emulator_accounts import COSMOS_EMULATOR_KEY
from shopctl.testing import LaunchedPlatform, launched

DEV_SIGNING_KEY = "test-signing-key-that-is-long-enough-0123456789"


def _process_env(settings: Any, **extra: str) -> dict[str, str]:
    """The environment for a product-service process (server or seed) pointed at ``settings``."""
    return {
        **os.environ,
        "PRODUCT_ENVIRONMENT": "development",
        "PRODUCT_COSMOS_ENDPOINT": settings.cosmos_endpoint,
        "PRODUCT_COSMOS_KEY": settings.cosmos_key.get_secret_value(),
        "PRODUCT_COSMOS_DATABASE": settings.cosmos_database,
        "PRODUCT_COSMOS_ENABLE_ENDPOINT_DISCOVERY": "false",
        "PRODUCT_COSMOS_FORCE_CROSS_PARTITION_HEADER": "true",
        "PRODUCT_BLOB_CONNECTION_STRING": settings.blob_connection_string.get_secret_value(),
        "PRODUCT_BLOB_CONTAINER": settings.blob_container,
        "PRODUCT_AUTH_MODE": "dev",
        "PRODUCT_AUTH_DEV_SIGNING_KEY": settings.auth_dev_signing_key.get_secret_value(),
        **extra,
    }


@pytest.fixture
def process_env() -> Callable[..., dict[str, str]]:
    """Builds the environment for a product-service process: ``process_env(settings, **extra)``."""
    return _process_env


@pytest.fixture(scope="session")
def platform() -> Iterator[LaunchedPlatform]:
    with launched("azurite", "cosmos") as running:
        yield running


def local_settings(platform: LaunchedPlatform, **overrides: Any) -> Settings:
    """Settings pointing at the session's emulators, with a database and container of their own."""
    values: dict[str, Any] = {
        "environment": "development",
        "cosmos_endpoint": platform.url("cosmos"),
        "cosmos_key": COSMOS_EMULATOR_KEY,
        "cosmos_database": f"product-{uuid.uuid4().hex[:12]}",
        "cosmos_enable_endpoint_discovery": False,
        "cosmos_force_cross_partition_header": True,
        "blob_connection_string": platform.azurite_connection_string("blob"),
        "blob_container": f"images-{uuid.uuid4().hex[:12]}",
        "auth_mode": "dev",
        "auth_dev_signing_key": DEV_SIGNING_KEY,
        "cors_origins": ["http://localhost:5173"],
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Api:
    """A started app and an HTTP client for it, plus shortcuts for common set-up steps."""

    app: FastAPI
    http: httpx.AsyncClient
    settings: Settings

    @property
    def admin(self) -> dict[str, str]:
        token = mint_dev_token(self.settings, "test-admin", [self.settings.auth_admin_role])
        return {"Authorization": f"Bearer {token}"}

    product_body = staticmethod(lambda **fields: product_body(**fields))

    async def create_product(self, **fields: Any) -> dict[str, Any]:
        response = await self.http.post("/products", json=product_body(**fields), headers=self.admin)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def stock_of(self, product_id: str) -> tuple[int, int]:
        body = (await self.http.get(f"/products/{product_id}")).json()
        return body["stock"], body["reserved"]


def product_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Test Mug",
        "description": "A mug used by tests.",
        "category": "kitchen",
        "price": "12.50",
        "currency": "USD",
        "stock": 10,
    }
    body.update(fields)
    return body


@asynccontextmanager
async def running_api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://product.test") as http:
            yield Api(app, http, settings)


StartApi = Callable[..., Awaitable[Api]]


@pytest.fixture
async def start_api(platform: LaunchedPlatform) -> AsyncIterator[StartApi]:
    """Starts an app with setting overrides; every app started is stopped at the end of the test."""
    stack: list[Any] = []

    async def start(**overrides: Any) -> Api:
        context = running_api(local_settings(platform, **overrides))
        api = await context.__aenter__()
        stack.append(context)
        return api

    yield start
    for context in reversed(stack):
        await context.__aexit__(None, None, None)


@pytest.fixture
def settings_for(platform: LaunchedPlatform) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        return local_settings(platform, **overrides)

    return make


@pytest.fixture
async def api(start_api: StartApi) -> Api:
    return await start_api()


@pytest.fixture
def api_on_own_loop(platform: LaunchedPlatform) -> Iterator[tuple[Api, Callable[[Awaitable[Any]], Any]]]:
    """A started app on an event loop of its own, with a function that runs a coroutine on that loop:
    for synchronous drivers such as Hypothesis state machines."""
    loop = asyncio.new_event_loop()
    context = running_api(local_settings(platform))
    api = loop.run_until_complete(context.__aenter__())
    try:
        yield api, loop.run_until_complete
    finally:
        loop.run_until_complete(context.__aexit__(None, None, None))
        loop.close()
