"""The service's configuration: read once from the environment (prefix ``PRODUCT_``), validated at start.

A missing or contradictory setting stops the process before it serves anything. Secrets (Cosmos key, Blob
connection string, development signing key) have no defaults; when the Cosmos key or the Blob connection
string is absent the client factory authenticates with ``DefaultAzureCredential`` instead.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict
from servicekit.auth import AuthMode, check_auth_settings
from servicekit.settings import Environment, ServiceSettings, require_exactly_one

__all__ = ["AuthMode", "Environment", "Settings"]


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PRODUCT_", env_file=".env", extra="ignore")

    port: int = Field(default=8001, ge=1, le=65535)

    cosmos_endpoint: str
    cosmos_key: SecretStr | None = None
    cosmos_database: str = "product"
    # Both default to what Azure needs; the local Cosmos server needs them flipped (see the README).
    cosmos_enable_endpoint_discovery: bool = True
    cosmos_force_cross_partition_header: bool = False

    blob_connection_string: SecretStr | None = None
    blob_account_url: str | None = None
    blob_container: str = "product-images"

    auth_mode: AuthMode = AuthMode.ENTRA
    auth_audience: str = "api://contoso-shop-product"
    auth_admin_role: str = "Catalog.Admin"
    auth_dev_signing_key: SecretStr | None = None
    auth_dev_issuer: str = "contoso-shop-dev"
    auth_entra_tenant_id: str | None = None
    # Overrides the tenant's well-known JWKS address (sovereign clouds, or a stand-in key server in tests).
    auth_entra_jwks_url: str | None = None

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    max_json_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # A request head must be complete this long after its connection opened (or after the previous
    # response), and its body this long after the head; otherwise the connection is cut (body: 408).
    request_head_timeout_seconds: float = Field(default=15.0, gt=0)
    request_body_timeout_seconds: float = Field(default=15.0, gt=0)
    image_max_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    image_content_types: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["image/png", "image/jpeg", "image/webp", "image/gif"]
    )
    image_cache_seconds: int = Field(default=300, ge=0)

    page_size_default: int = Field(default=20, ge=1, le=100)
    # How long catalog reads may be answered from memory (0: never); see domain/catalog_cache.py.
    catalog_cache_seconds: float = Field(default=2.0, ge=0)
    reservation_ttl_seconds: float = Field(default=900, gt=0)
    sweep_interval_seconds: float = Field(default=30, gt=0)

    seed_on_start: bool = False

    @model_validator(mode="before")
    @classmethod
    def _csv_lists(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in ("cors_origins", "image_content_types"):
                if key in data:
                    data[key] = _split_csv(data[key])
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        require_exactly_one(self, "blob_connection_string", "blob_account_url")
        check_auth_settings(self, "PRODUCT_", production=self.environment is Environment.PRODUCTION)
        return self
