"""Admin endpoints need a bearer token with the admin role: the dev HS256 verifier against the real app,
the Entra RS256 verifier against a local JWKS server standing in for Entra ID (which cannot run here)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from product_service.api.auth import EntraTokenVerifier
from product_service.api.problems import ApiError

TENANT = "11111111-2222-3333-4444-555555555555"
AUDIENCE = "api://contoso-shop-product"


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
    token = jwt.encode(
        {
            "sub": "x",
            "iss": api.settings.auth_dev_issuer,
            "aud": api.settings.auth_audience,
            "roles": [api.settings.auth_admin_role],
            "exp": int(time.time()) + 60,
        },
        "another-key-that-is-also-long-enough-for-hs256",
        algorithm="HS256",
    )

    response = await api.http.post(
        "/products", json=api.product_body(), headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401


async def test_expired_token_is_401(api):
    from product_service.api.auth import mint_dev_token

    token = mint_dev_token(api.settings, "old", [api.settings.auth_admin_role], lifetime_seconds=-120)

    response = await api.http.post(
        "/products", json=api.product_body(), headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_token_without_admin_role_is_403(api):
    from product_service.api.auth import mint_dev_token

    token = mint_dev_token(api.settings, "shopper", ["Catalog.Reader"])

    response = await api.http.post(
        "/products", json=api.product_body(), headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 403


async def test_reads_need_no_token(api):
    response = await api.http.get("/products")

    assert response.status_code == 200


class _Jwks:
    """A JWKS endpoint on a loopback port, serving the public half of a key generated per test."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": "key-1", "use": "sig", "alg": "RS256"})
        body = json.dumps({"keys": [jwk]}).encode()
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/keys"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def token(self, **overrides: object) -> str:
        claims: dict[str, object] = {
            "sub": "admin-app",
            "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0",
            "aud": AUDIENCE,
            "roles": ["Catalog.Admin"],
            "exp": int(time.time()) + 300,
        }
        claims.update(overrides)
        kid = str(claims.pop("kid", "key-1"))
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": kid})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def jwks():
    server = _Jwks()
    yield server
    server.close()


@pytest.fixture
async def entra(jwks):
    verifier = EntraTokenVerifier(TENANT, AUDIENCE, jwks.url)
    yield verifier
    await verifier.close()


async def test_entra_verifier_accepts_token_signed_by_jwks_key_local_standin(entra, jwks):
    claims = await entra.verify(jwks.token())

    assert claims["roles"] == ["Catalog.Admin"]


async def test_entra_verifier_caches_keys_local_standin(entra, jwks):
    await entra.verify(jwks.token())
    await entra.verify(jwks.token())

    assert jwks.requests == 1


async def test_entra_verifier_rejects_wrong_issuer_local_standin(entra, jwks):
    with pytest.raises(ApiError) as caught:
        await entra.verify(jwks.token(iss="https://login.microsoftonline.com/other/v2.0"))

    assert caught.value.status == 401


async def test_entra_verifier_rejects_wrong_audience_local_standin(entra, jwks):
    with pytest.raises(ApiError) as caught:
        await entra.verify(jwks.token(aud="api://someone-else"))

    assert caught.value.status == 401


async def test_entra_verifier_rejects_unknown_key_id_local_standin(entra, jwks):
    with pytest.raises(ApiError) as caught:
        await entra.verify(jwks.token(kid="key-unknown"))

    assert caught.value.status == 401


async def test_entra_verifier_rejects_hs256_token_local_standin(entra):
    token = jwt.encode({"sub": "x"}, "a-shared-secret-that-is-long-enough-000", algorithm="HS256")

    with pytest.raises(ApiError) as caught:
        await entra.verify(token)

    assert caught.value.status == 401


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
    hs256 = jwt.encode(
        {
            "sub": "x",
            "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0",
            "aud": AUDIENCE,
            "roles": ["Catalog.Admin"],
            "exp": int(time.time()) + 60,
        },
        "a-shared-secret-that-is-long-enough-000",
        algorithm="HS256",
    )
    refused = await api.http.post(
        "/products", json=api.product_body(), headers={"Authorization": f"Bearer {hs256}"}
    )

    assert allowed.status_code == 201
    assert refused.status_code == 401
