"""Bearer-token checks for admin endpoints, independent of the web framework.

Two verifiers behind one interface, chosen by a service's ``<PREFIX>_AUTH_MODE`` setting:

* ``dev``: HS256 tokens signed with a development key from the settings (``mint_dev_token`` makes one);
* ``entra``: Microsoft Entra ID access tokens, RS256, checked against the tenant's JWKS (issuer, audience,
  expiry, signature). Keys are cached and re-fetched when a token names a key id we have not seen.

Either way the caller must carry the admin app role in the ``roles`` claim. Refusals are ``AuthError``s,
which are ``ApiError``s: the service's problem+json edge answers them like any other.
"""

from __future__ import annotations

import asyncio
import time
from enum import StrEnum
from typing import Any, Protocol

import httpx
import jwt

from servicekit.problems import ApiError

# Do not hammer the JWKS endpoint when tokens name unknown keys (forged tokens would otherwise trigger it).
_JWKS_MIN_REFRESH_SECONDS = 60.0
_JWKS_MAX_AGE_SECONDS = 24 * 3600.0
_LEEWAY_SECONDS = 30
_FIELD = "Authorization"


class AuthMode(StrEnum):
    DEV = "dev"
    ENTRA = "entra"


class AuthError(ApiError):
    """A request refused for its credentials; ``field`` is always the ``Authorization`` header."""


def credentials_missing() -> AuthError:
    return AuthError(
        401,
        "Unauthorized",
        "an admin bearer token is required",
        slug="unauthorized",
        field=_FIELD,
        headers={"WWW-Authenticate": "Bearer"},
    )


def token_rejected(detail: str) -> AuthError:
    return AuthError(
        401,
        "Unauthorized",
        detail,
        slug="unauthorized",
        field=_FIELD,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def role_missing(role: str) -> AuthError:
    return AuthError(403, "Forbidden", f"the token lacks the '{role}' role", slug="forbidden", field=_FIELD)


def signing_keys_unavailable() -> ApiError:
    return ApiError(
        503, "Service unavailable", "signing keys could not be fetched", slug="dependency-unavailable"
    )


class Secret(Protocol):
    def get_secret_value(self) -> str: ...


class AuthSettings(Protocol):
    """The auth fields every service's settings carry (same names, its own prefix)."""

    @property
    def auth_mode(self) -> AuthMode: ...
    @property
    def auth_audience(self) -> str: ...
    @property
    def auth_dev_signing_key(self) -> Secret | None: ...
    @property
    def auth_dev_issuer(self) -> str: ...
    @property
    def auth_entra_tenant_id(self) -> str | None: ...
    @property
    def auth_entra_jwks_url(self) -> str | None: ...


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> dict[str, Any]:
        """Returns the claims of a valid token; raises AuthError (401) otherwise, ApiError (503) when the
        signing keys cannot be fetched."""
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
            raise token_rejected(f"token rejected: {exc}") from exc
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
            raise token_rejected(f"token rejected: {exc}") from exc
        if header.get("alg") != "RS256":
            raise token_rejected("token rejected: only RS256 tokens are accepted")
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
            raise token_rejected(f"token rejected: {exc}") from exc
        return claims

    async def _key(self, kid: str) -> jwt.PyJWK:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            stale = age > _JWKS_MAX_AGE_SECONDS
            if stale or (kid not in self._keys and age > _JWKS_MIN_REFRESH_SECONDS):
                await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise token_rejected("token rejected: signing key is not one of the issuer's keys")
        return key

    async def _refresh(self) -> None:
        try:
            response = await self._http.get(self._jwks_url)
            response.raise_for_status()
            jwks = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, jwt.PyJWTError, ValueError) as exc:
            raise signing_keys_unavailable() from exc
        self._keys = {key.key_id: key for key in jwks.keys if key.key_id}
        self._fetched_at = time.monotonic()

    async def close(self) -> None:
        await self._http.aclose()


def check_auth_settings(settings: AuthSettings, prefix: str, *, production: bool) -> None:
    """Raises ValueError, naming the ``<prefix>AUTH_*`` variable at fault, for a contradictory setup."""
    if settings.auth_mode is AuthMode.DEV:
        if settings.auth_dev_signing_key is None:
            raise ValueError(f"{prefix}AUTH_DEV_SIGNING_KEY is required when {prefix}AUTH_MODE=dev")
        if len(settings.auth_dev_signing_key.get_secret_value()) < 32:
            raise ValueError(f"{prefix}AUTH_DEV_SIGNING_KEY must be at least 32 characters")
        if production:
            raise ValueError(f"{prefix}AUTH_MODE=dev is refused when {prefix}ENVIRONMENT=production")
    if settings.auth_mode is AuthMode.ENTRA and settings.auth_entra_tenant_id is None:
        raise ValueError(f"{prefix}AUTH_ENTRA_TENANT_ID is required when {prefix}AUTH_MODE=entra")


def build_verifier(settings: AuthSettings) -> TokenVerifier:
    """The verifier for ``settings.auth_mode``; expects settings that passed ``check_auth_settings``."""
    if settings.auth_mode is AuthMode.DEV:
        assert settings.auth_dev_signing_key is not None  # guaranteed by check_auth_settings
        return DevTokenVerifier(
            settings.auth_dev_signing_key.get_secret_value(), settings.auth_dev_issuer, settings.auth_audience
        )
    assert settings.auth_entra_tenant_id is not None  # guaranteed by check_auth_settings
    return EntraTokenVerifier(
        settings.auth_entra_tenant_id, settings.auth_audience, settings.auth_entra_jwks_url
    )


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value; AuthError (401) without one."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise credentials_missing()
    return token.strip()


def require_role(claims: dict[str, Any], role: str) -> None:
    roles = claims.get("roles")
    if not isinstance(roles, list) or role not in roles:
        raise role_missing(role)


def mint_dev_token(
    settings: AuthSettings, subject: str, roles: list[str], lifetime_seconds: int = 3600
) -> str:
    """An HS256 token the dev verifier accepts (for local use and tests)."""
    if settings.auth_dev_signing_key is None:
        raise ValueError("no development signing key is set (AUTH_DEV_SIGNING_KEY)")
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
