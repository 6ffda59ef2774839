"""Token verifiers, bearer parsing, role checks and auth settings; the Entra RS256 verifier runs against a
local JWKS server standing in for Entra ID (which cannot run here)."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

import jwt
import pytest
from pydantic import SecretStr
from servicekit.auth import (
    AuthError,
    AuthMode,
    DevTokenVerifier,
    EntraTokenVerifier,
    bearer_token,
    build_verifier,
    check_auth_settings,
    mint_dev_token,
    require_role,
)
from servicekit.problems import ApiError

from .conftest import ADMIN_ROLE, AUDIENCE, TENANT

DEV_KEY = "a-development-signing-key-long-enough-0123"


@dataclass
class AuthSettingsForTest:
    auth_mode: AuthMode = AuthMode.DEV
    auth_audience: str = AUDIENCE
    auth_dev_signing_key: SecretStr | None = SecretStr(DEV_KEY)  # noqa: RUF009  # immutable value
    auth_dev_issuer: str = "contoso-shop-dev"
    auth_entra_tenant_id: str | None = None
    auth_entra_jwks_url: str | None = None


async def test_dev_verifier_accepts_minted_token_with_its_claims() -> None:
    settings = AuthSettingsForTest()
    verifier = build_verifier(settings)

    claims = await verifier.verify(mint_dev_token(settings, "someone", [ADMIN_ROLE]))

    assert isinstance(verifier, DevTokenVerifier)
    assert claims["sub"] == "someone"
    assert claims["roles"] == [ADMIN_ROLE]


async def test_dev_verifier_rejects_expired_token_as_invalid_token() -> None:
    settings = AuthSettingsForTest()
    token = mint_dev_token(settings, "old", [ADMIN_ROLE], lifetime_seconds=-120)

    with pytest.raises(AuthError) as caught:
        await build_verifier(settings).verify(token)

    assert caught.value.status == 401
    assert "expired" in caught.value.detail
    assert caught.value.field == "Authorization"
    assert caught.value.headers == {"WWW-Authenticate": 'Bearer error="invalid_token"'}


async def test_dev_verifier_rejects_token_signed_with_another_key() -> None:
    token = mint_dev_token(
        AuthSettingsForTest(auth_dev_signing_key=SecretStr("another-key-that-is-also-long-enough-000")),
        "x",
        [ADMIN_ROLE],
    )

    with pytest.raises(AuthError):
        await build_verifier(AuthSettingsForTest()).verify(token)


async def test_dev_verifier_requires_subject_claim() -> None:
    token = jwt.encode(
        {"iss": "contoso-shop-dev", "aud": AUDIENCE, "exp": int(time.time()) + 60}, DEV_KEY, algorithm="HS256"
    )

    with pytest.raises(AuthError, match="sub"):
        await build_verifier(AuthSettingsForTest()).verify(token)


def test_mint_dev_token_refuses_without_signing_key() -> None:
    with pytest.raises(ValueError, match="AUTH_DEV_SIGNING_KEY"):
        mint_dev_token(AuthSettingsForTest(auth_dev_signing_key=None), "x", [])


def test_build_verifier_in_entra_mode_is_entra_verifier() -> None:
    settings = AuthSettingsForTest(auth_mode=AuthMode.ENTRA, auth_entra_tenant_id=TENANT)

    assert isinstance(build_verifier(settings), EntraTokenVerifier)


async def test_entra_verifier_accepts_token_signed_by_jwks_key_local_standin(entra, jwks) -> None:
    claims = await entra.verify(jwks.token())

    assert claims["roles"] == [ADMIN_ROLE]


async def test_entra_verifier_caches_keys_local_standin(entra, jwks) -> None:
    await entra.verify(jwks.token())
    await entra.verify(jwks.token())

    assert jwks.requests == 1


async def test_entra_verifier_rejects_wrong_issuer_local_standin(entra, jwks) -> None:
    with pytest.raises(AuthError) as caught:
        await entra.verify(jwks.token(iss="https://login.microsoftonline.com/other/v2.0"))

    assert caught.value.status == 401


async def test_entra_verifier_rejects_wrong_audience_local_standin(entra, jwks) -> None:
    with pytest.raises(AuthError) as caught:
        await entra.verify(jwks.token(aud="api://someone-else"))

    assert caught.value.status == 401


async def test_entra_verifier_rejects_unknown_key_id_local_standin(entra, jwks) -> None:
    with pytest.raises(AuthError) as caught:
        await entra.verify(jwks.token(kid="key-unknown"))

    assert caught.value.status == 401
    assert "not one of the issuer's keys" in caught.value.detail


async def test_entra_verifier_rejects_hs256_token_local_standin(entra) -> None:
    token = jwt.encode({"sub": "x"}, "a-shared-secret-that-is-long-enough-000", algorithm="HS256")

    with pytest.raises(AuthError) as caught:
        await entra.verify(token)

    assert caught.value.status == 401


async def test_entra_verifier_is_503_when_jwks_cannot_be_fetched(jwks) -> None:
    # A bound but never listening socket: connections to its port are refused.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        verifier = EntraTokenVerifier(TENANT, AUDIENCE, f"http://127.0.0.1:{silent.getsockname()[1]}/keys")
        try:
            with pytest.raises(ApiError) as caught:
                await verifier.verify(jwks.token())
        finally:
            await verifier.close()

    assert not isinstance(caught.value, AuthError)
    assert caught.value.status == 503
    assert caught.value.slug == "dependency-unavailable"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz"])
def test_bearer_token_without_bearer_credentials_is_401_with_challenge(header: str | None) -> None:
    with pytest.raises(AuthError) as caught:
        bearer_token(header)

    assert caught.value.status == 401
    assert caught.value.headers == {"WWW-Authenticate": "Bearer"}


def test_bearer_token_accepts_any_case_scheme_and_trims() -> None:
    assert bearer_token("bearer  abc.def.ghi ") == "abc.def.ghi"


def test_require_role_refuses_claims_without_the_role_as_403() -> None:
    with pytest.raises(AuthError) as caught:
        require_role({"roles": ["Shop.Reader"]}, ADMIN_ROLE)

    assert caught.value.status == 403
    assert caught.value.detail == f"the token lacks the '{ADMIN_ROLE}' role"


def test_require_role_refuses_non_list_roles_claim() -> None:
    with pytest.raises(AuthError):
        require_role({"roles": ADMIN_ROLE}, ADMIN_ROLE)


def test_require_role_accepts_claims_with_the_role() -> None:
    require_role({"roles": ["Shop.Reader", ADMIN_ROLE]}, ADMIN_ROLE)


@pytest.mark.parametrize(
    ("settings", "production", "message"),
    [
        (AuthSettingsForTest(auth_dev_signing_key=None), False, "SHOP_AUTH_DEV_SIGNING_KEY is required"),
        (AuthSettingsForTest(auth_dev_signing_key=SecretStr("short")), False, "at least 32 characters"),
        (AuthSettingsForTest(), True, "SHOP_AUTH_MODE=dev is refused when SHOP_ENVIRONMENT=production"),
        (AuthSettingsForTest(auth_mode=AuthMode.ENTRA), True, "SHOP_AUTH_ENTRA_TENANT_ID is required"),
    ],
)
def test_check_auth_settings_names_the_variable_at_fault(
    settings: AuthSettingsForTest, production: bool, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        check_auth_settings(settings, "SHOP_", production=production)


def test_check_auth_settings_accepts_entra_with_tenant_in_production() -> None:
    settings = AuthSettingsForTest(auth_mode=AuthMode.ENTRA, auth_entra_tenant_id=TENANT)

    check_auth_settings(settings, "SHOP_", production=True)
