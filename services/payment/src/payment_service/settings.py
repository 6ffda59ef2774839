"""The service's configuration, read once from the environment (prefix ``PAYMENT_``), validated at start.

The API (``payment-service``) and the worker (``payment-worker``) read the same settings. A missing or
contradictory setting stops the process before it does anything. Secrets have no defaults; the gateway
key comes from the environment locally and from Key Vault in Azure (``PAYMENT_KEY_VAULT_URL``).
"""

from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from payment_service.adapters.keyvault import KeyVaultSettingsSource
from payment_service.contracts import find_contracts_dir
from payment_service.faults import CrashPoint

# Settings field → Key Vault secret name.
KEY_VAULT_SECRETS = {"gateway_api_key": "payment-gateway-api-key"}


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class AuthMode(StrEnum):
    DEV = "dev"
    ENTRA = "entra"


def _default_contracts_dir() -> Path:
    return find_contracts_dir(Path(__file__)) or Path("contracts/messages")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAYMENT_", env_file=".env", extra="ignore")

    environment: Environment = Environment.PRODUCTION
    host: str = "127.0.0.1"
    port: int = Field(default=8003, ge=0, le=65535)
    log_level: str = "INFO"
    web_workers: int = Field(default=1, ge=1)
    web_threads: int = Field(default=8, ge=1)
    shutdown_grace_seconds: float = Field(default=20.0, gt=0)

    servicebus_connection_string: SecretStr | None = None
    servicebus_namespace: str | None = None
    requests_queue: str = "payment-requests"
    events_topic: str = "payment-events"

    tables_connection_string: SecretStr | None = None
    tables_endpoint: str | None = None
    ledger_table: str = "payments"

    key_vault_url: str | None = None
    gateway_api_key: SecretStr
    gateway_state_path: Path = Field(
        default_factory=lambda: Path(tempfile.gettempdir()) / "contoso-payment-gateway.sqlite3"
    )
    gateway_max_attempts: int = Field(default=4, ge=1, le=10)
    gateway_backoff_base_seconds: float = Field(default=0.5, ge=0)
    gateway_backoff_max_seconds: float = Field(default=8.0, ge=0)
    fraud_review_seconds: float = Field(default=45.0, ge=0)

    worker_concurrency: int = Field(default=4, ge=1, le=64)
    worker_host: str = "127.0.0.1"
    worker_port: int = Field(default=8013, ge=0, le=65535)
    max_lock_renewal_seconds: float = Field(default=300.0, gt=0)
    crash_after: CrashPoint | None = None

    contracts_dir: Path = Field(default_factory=_default_contracts_dir)

    auth_mode: AuthMode = AuthMode.ENTRA
    auth_audience: str = "api://contoso-shop-payment"
    auth_admin_role: str = "Payments.Admin"
    auth_dev_signing_key: SecretStr | None = None
    auth_dev_issuer: str = "contoso-shop-dev"
    auth_entra_tenant_id: str | None = None
    # Overrides the tenant's well-known JWKS address (sovereign clouds, or a stand-in key server in tests).
    auth_entra_jwks_url: str | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Later sources only fill what earlier ones left unset: the environment wins over Key Vault.
        key_vault = KeyVaultSettingsSource(settings_cls, secrets=KEY_VAULT_SECRETS)
        return init_settings, env_settings, dotenv_settings, file_secret_settings, key_vault

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.servicebus_connection_string is None) == (self.servicebus_namespace is None):
            raise ValueError(
                "set exactly one of PAYMENT_SERVICEBUS_CONNECTION_STRING or PAYMENT_SERVICEBUS_NAMESPACE"
            )
        if (self.tables_connection_string is None) == (self.tables_endpoint is None):
            raise ValueError("set exactly one of PAYMENT_TABLES_CONNECTION_STRING or PAYMENT_TABLES_ENDPOINT")
        if not (self.contracts_dir / "envelope.schema.json").is_file():
            raise ValueError(f"PAYMENT_CONTRACTS_DIR={self.contracts_dir} holds no message schemas")
        production = self.environment is Environment.PRODUCTION
        if self.crash_after is not None and production:
            raise ValueError(
                "PAYMENT_CRASH_AFTER is a test switch and is refused when PAYMENT_ENVIRONMENT=production"
            )
        if self.auth_mode is AuthMode.DEV:
            if self.auth_dev_signing_key is None:
                raise ValueError("PAYMENT_AUTH_DEV_SIGNING_KEY is required when PAYMENT_AUTH_MODE=dev")
            if len(self.auth_dev_signing_key.get_secret_value()) < 32:
                raise ValueError("PAYMENT_AUTH_DEV_SIGNING_KEY must be at least 32 characters")
            if production:
                raise ValueError("PAYMENT_AUTH_MODE=dev is refused when PAYMENT_ENVIRONMENT=production")
        if self.auth_mode is AuthMode.ENTRA and self.auth_entra_tenant_id is None:
            raise ValueError("PAYMENT_AUTH_ENTRA_TENANT_ID is required when PAYMENT_AUTH_MODE=entra")
        return self


def load_settings(program: str) -> Settings:
    """The settings from the environment, or exit naming every setting at fault."""
    try:
        return Settings()  # type: ignore[call-arg]  # values come from the environment
    except ValidationError as exc:
        raise SystemExit(f"{program}: invalid configuration\n{exc}") from None
