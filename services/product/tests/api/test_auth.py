"""Admin endpoints need a bearer token with the admin role: the dev HS256 verifier against the real app,
the Entra RS256 verifier against a local JWKS server standing in for Entra ID (which cannot run here).
The verifiers' own cases are tested in libs/servicekit."""

from __future__ import annotations

import time

import jwt
import pytest
from servicekit.auth import mint_dev_token
from servicekit_testing import jwks_stand_in

TENANT = "11111111-2222-3333-4444-555555555555"
AUDIENCE = "api://contoso-shop-product"


def hs256_token(issuer: str, audience: str, roles: list[str], key: str) -> str:
    """A token for subject "x", valid for a minute, signed HS256 with ``key``."""
    return jwt.encode(
        {"sub": "x", "iss": issuer, "aud": audience, "roles": roles, "exp": int(time.time()) + 60},
        key,
        algorithm="HS256",
    )


async def test_admin_endpoint_without_token_is_401_with_challenge(api):
    response = await api.http.post("/products", json=api.product_body())

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_admin_endpoint_with_garbage_token_is_401(api):
    response = await api.http.post(
        "/products", json=api.product_body(), headers={"Authorization": "Bearer not.a.token"}
    )

    assert response.status_code == 401


async def test_token_signed_with_another_key_is_401(api):
    token = hs256_token(
        api.settings.auth_dev_issuer,
        api.settings.auth_audience,
        [api.settings.auth_admin_role],
        "another-key-that-is-also-long-enough-for-hs256",
    )

    response = await api.http.post(
        "/products", json=api.product_body(), headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401


async def test_expired_token_is_401(api):
    token = mint_dev_token(api.settings, "old", [api.settings.auth_admin_role], lifetime_seconds=-120)

    response = await api.http.post(
        "/products", json=api.product_body(), headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_token_without_admin_role_is_403(api):
    token = mint_dev_token(api.settings, "shopper", ["Catalog.Reader"])

    response = await api.http.post(
        "/products", json=api.product_body(), headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 403


async def test_reads_need_no_token(api):
    response = await api.http.get("/products")

    assert response.status_code == 200


@pytest.fixture
def jwks():
    with jwks_stand_in(TENANT, AUDIENCE, ["Catalog.Admin"]) as server:
        yield server


async def test_app_in_entra_mode_admits_entra_admin_token_local_standin(start_api, jwks):
    api = await start_api(
        auth_mode="entra",
        auth_entra_tenant_id=TENANT,
        auth_entra_jwks_url=jwks.url,
        auth_dev_signing_key=None,
    )

    allowed = await api.http.post(
        "/products", json=api.product_body(), headers={"Authorization": f"Bearer {jwks.token()}"}
    )
    hs256 = hs256_token(
        f"https://login.microsoftonline.com/{TENANT}/v2.0",
        AUDIENCE,
        ["Catalog.Admin"],
        "a-shared-secret-that-is-long-enough-000",
    )
    refused = await api.http.post(
        "/products", json=api.product_body(), headers={"Authorization": f"Bearer {hs256}"}
    )

    assert allowed.status_code == 201
    assert refused.status_code == 401
