"""Bearer-token checks for the admin endpoints (the same scheme as the product service's, same setting
names with the ``PAYMENT_`` prefix).

Two verifiers behind one interface, chosen by ``PAYMENT_AUTH_MODE``:

* ``dev``: HS256 tokens signed with a development key from the settings (``payment-dev-token`` mints one);
* ``entra``: Microsoft Entra ID access tokens, RS256, checked against the tenant's JWKS (issuer, audience,
  expiry, signature). Keys are cached and re-fetched when a token names a key id we have not seen.

Either way the caller must carry the admin app role in the ``roles`` claim.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

import httpx
import jwt

from payment_service.api.problems import ApiError
from payment_service.settings import AuthMode, Settings

# Do not hammer the JWKS endpoint when tokens name unknown keys (forged tokens would otherwise trigger it).
_JWKS_MIN_REFRESH_SECONDS = 60.0
_JWKS_MAX_AGE_SECONDS = 24 * 3600.0
_LEEWAY_SECONDS = 30


def unauthorized(detail: str) -> ApiError:
    return ApiError(
        401,
        "Unauthorized",
        detail,
        slug="unauthorized",
        field="Authorization",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> dict[str, Any]:
        """Returns the claims of a valid token; raises ApiError(401) otherwise."""
        ...

    async def close(self) -> None: ...


class DevTokenVerifier:
    def __init__(self, key: str, issuer: str, audience: str) -> None:
        self._key = key
        self._issuer = issuer
        self._audience = audience

    async def verify(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=["HS256"],
                audience=self._audience,
                issuer=self._issuer,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise unauthorized(f"token rejected: {exc}") from exc
        return claims

    async def close(self) -> None:
        return None


class EntraTokenVerifier:
    def __init__(self, tenant_id: str, audience: str, jwks_url: str | None = None) -> None:
        self._issuer = f"https://login.microsoftonline.com/{tenant_id}/v2.0"
        self._audience = audience
        self._jwks_url = jwks_url or f"https://login.microsoftonline.com/{tenant_id}/discovery/v2.0/keys"
        self._http = httpx.AsyncClient(timeout=10.0)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise unauthorized(f"token rejected: {exc}") from exc
        if header.get("alg") != "RS256":
            raise unauthorized("token rejected: only RS256 tokens are accepted")
        key = await self._key(str(header.get("kid", "")))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise unauthorized(f"token rejected: {exc}") from exc
        return claims

    async def _key(self, kid: str) -> jwt.PyJWK:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            stale = age > _JWKS_MAX_AGE_SECONDS
            if stale or (kid not in self._keys and age > _JWKS_MIN_REFRESH_SECONDS):
                await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise unauthorized("token rejected: signing key is not one of the issuer's keys")
        return key

    async def _refresh(self) -> None:
        try:
            response = await self._http.get(self._jwks_url)
            response.raise_for_status()
            jwks = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, jwt.PyJWTError, ValueError) as exc:
            raise ApiError(
                503, "Service unavailable", "signing keys could not be fetched", slug="dependency-unavailable"
            ) from exc
        self._keys = {key.key_id: key for key in jwks.keys if key.key_id}
        self._fetched_at = time.monotonic()

    async def close(self) -> None:
        await self._http.aclose()


def build_verifier(settings: Settings) -> TokenVerifier:
    if settings.auth_mode is AuthMode.DEV:
        assert settings.auth_dev_signing_key is not None  # guaranteed by Settings validation
        return DevTokenVerifier(
            settings.auth_dev_signing_key.get_secret_value(), settings.auth_dev_issuer, settings.auth_audience
        )
    assert settings.auth_entra_tenant_id is not None  # guaranteed by Settings validation
    return EntraTokenVerifier(
        settings.auth_entra_tenant_id, settings.auth_audience, settings.auth_entra_jwks_url
    )


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "Unauthorized",
            "an admin bearer token is required",
            slug="unauthorized",
            field="Authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def require_role(claims: dict[str, Any], role: str) -> None:
    roles = claims.get("roles")
    if not isinstance(roles, list) or role not in roles:
        raise ApiError(
            403, "Forbidden", f"the token lacks the '{role}' role", slug="forbidden", field="Authorization"
        )


def mint_dev_token(settings: Settings, subject: str, roles: list[str], lifetime_seconds: int = 3600) -> str:
    """An HS256 token the dev verifier accepts (for local use and tests)."""
    if settings.auth_dev_signing_key is None:
        raise ValueError("PAYMENT_AUTH_DEV_SIGNING_KEY is not set")
    now = int(time.time())
    claims = {
        "sub": subject,
        "iss": settings.auth_dev_issuer,
        "aud": settings.auth_audience,
        "roles": roles,
        "iat": now,
        "exp": now + lifetime_seconds,
    }
    return jwt.encode(claims, settings.auth_dev_signing_key.get_secret_value(), algorithm="HS256")
