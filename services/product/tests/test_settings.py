"""Settings fail fast on missing or contradictory configuration."""

from __future__ import annotations

import pytest
from product_service.settings import AuthMode, Settings
from pydantic import ValidationError

BASE = {
    "cosmos_endpoint": "https://example.documents.azure.com:443/",
    "blob_account_url": "https://example.blob.core.windows.net",
    "auth_entra_tenant_id": "tenant",
}


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **{**BASE, **values})  # type: ignore[arg-type]


def test_azure_shape_needs_only_endpoints():
    settings = make()

    assert settings.cosmos_key is None
    assert settings.auth_mode is AuthMode.ENTRA
    assert settings.port == 8001


def test_missing_cosmos_endpoint_fails(monkeypatch):
    monkeypatch.delenv("PRODUCT_COSMOS_ENDPOINT", raising=False)
    with pytest.raises(ValidationError, match="cosmos_endpoint"):
        Settings(_env_file=None, blob_account_url="https://b", auth_entra_tenant_id="t")  # type: ignore[call-arg]


def test_both_blob_settings_fail():
    with pytest.raises(ValidationError, match="exactly one"):
        make(blob_connection_string="UseDevelopmentStorage=true")


def test_dev_auth_needs_a_signing_key():
    with pytest.raises(ValidationError, match="AUTH_DEV_SIGNING_KEY is required"):
        make(auth_mode="dev", environment="development")


def test_dev_auth_refuses_short_key():
    with pytest.raises(ValidationError, match="at least 32"):
        make(auth_mode="dev", environment="development", auth_dev_signing_key="short")


def test_dev_auth_is_refused_in_production():
    with pytest.raises(ValidationError, match="refused"):
        make(auth_mode="dev", auth_dev_signing_key="k" * 40)


def test_entra_auth_needs_tenant():
    with pytest.raises(ValidationError, match="TENANT_ID"):
        make(auth_entra_tenant_id=None)


def test_lists_are_read_from_comma_separated_environment(monkeypatch):
    monkeypatch.setenv("PRODUCT_CORS_ORIGINS", "http://a.test, http://b.test")
    monkeypatch.setenv("PRODUCT_IMAGE_CONTENT_TYPES", "image/png")

    settings = make()

    assert settings.cors_origins == ["http://a.test", "http://b.test"]
    assert settings.image_content_types == ["image/png"]
