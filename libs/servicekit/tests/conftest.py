"""Fixtures: a JWKS endpoint on a loopback port standing in for Entra ID (which cannot run here)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from servicekit.auth import EntraTokenVerifier
from servicekit_testing import JwksStandIn, jwks_stand_in

TENANT = "11111111-2222-3333-4444-555555555555"
AUDIENCE = "api://contoso-shop-test"
ADMIN_ROLE = "Shop.Admin"


@pytest.fixture
def jwks() -> Iterator[JwksStandIn]:
    with jwks_stand_in(TENANT, AUDIENCE, [ADMIN_ROLE]) as server:
        yield server


@pytest.fixture
async def entra(jwks: JwksStandIn) -> AsyncIterator[EntraTokenVerifier]:
    verifier = EntraTokenVerifier(TENANT, AUDIENCE, jwks.url)
    yield verifier
    await verifier.close()
