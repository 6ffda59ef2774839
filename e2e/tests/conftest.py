"""The whole local platform, started once for the session on free ports, as `make up` would run it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from shopctl.testing import LaunchedPlatform, launched

# The entry points of the journey; everything they depend on starts with them.
JOURNEY_COMPONENTS = ("frontend", "payment", "payment-worker", "notification")


@dataclass(frozen=True)
class Shop:
    platform: LaunchedPlatform
    product: httpx.Client
    order: httpx.Client
    payment: httpx.Client
    notification: httpx.Client
    mailbox: httpx.Client


def _client(platform: LaunchedPlatform, component: str) -> httpx.Client:
    return httpx.Client(base_url=f"http://127.0.0.1:{platform.port(component, 'http')}", timeout=40)


@pytest.fixture(scope="session")
def shop() -> Iterator[Shop]:
    with launched(*JOURNEY_COMPONENTS) as platform:
        clients = {
            name: _client(platform, name)
            for name in ("product", "order", "payment", "notification", "mailbox")
        }
        yield Shop(platform=platform, **clients)
        for client in clients.values():
            client.close()
