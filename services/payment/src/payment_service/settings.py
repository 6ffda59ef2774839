"""The service's configuration, read once from the environment (prefix ``PAYMENT_``), validated at start.

The API (``payment-service``) and the worker (``payment-worker``) read the same settings. A missing or
contradictory setting stops the process before it does anything. Secrets have no defaults; the gateway
key comes from the environment locally and from Key Vault in Azure (``PAYMENT_KEY_VAULT_URL``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from servicekit.auth import AuthMode, check_auth_settings
from servicekit.contracts import check_contracts_dir, default_contracts_dir
from servicekit.settings import Environment, ServiceSettings, require_exactly_one

from payment_service.adapters.keyvault import KeyVaultSettingsSource
from payment_service.faults import CrashPoint

__all__ = ["KEY_VAULT_SECRETS", "QUIET_LOGGERS", "AuthMode", "Environment", "Settings"]

# Settings field → Key Vault secret name.
# pragma: allowlist nextline secret (the Key Vault secret's name, not its value)
KEY_VAULT_SECRETS = {"gateway_api_key": "payment-gateway-api-key"}

# The API's loggers held to warnings: gunicorn's access log (api.observability writes ours) and the legacy
# AMQP client.
QUIET_LOGGERS = ("uamqp", "gunicorn.access")


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PAYMENT_", env_file=".env", extra="ignore")

    port: int = Field(default=8003, ge=0, le=65535)
    web_workers: int = Field(default=1, ge=1)
    web_threads: int = Field(default=8, ge=1)
    shutdown_grace_seconds: float = Field(default=20.0, gt=0)
    # A request's head and body must arrive within this (408 or the connection dropped), and its body fit.
    request_timeout_seconds: float = Field(default=15.0, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)

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

    # Payments in progress at once; each spends most of its time waiting on Table storage and Service Bus.
    worker_concurrency: int = Field(default=16, ge=1, le=64)
    worker_host: str = "127.0.0.1"
    worker_port: int = Field(default=8013, ge=0, le=65535)
    max_lock_renewal_seconds: float = Field(default=300.0, gt=0)
    crash_after: CrashPoint | None = None

    contracts_dir: Path = Field(default_factory=default_contracts_dir)

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
        require_exactly_one(self, "servicebus_connection_string", "servicebus_namespace")
        require_exactly_one(self, "tables_connection_string", "tables_endpoint")
        check_contracts_dir(self.contracts_dir, "PAYMENT_CONTRACTS_DIR")
        production = self.environment is Environment.PRODUCTION
        if self.crash_after is not None and production:
            raise ValueError(
                "PAYMENT_CRASH_AFTER is a test switch and is refused when PAYMENT_ENVIRONMENT=production"
            )
        check_auth_settings(self, "PAYMENT_", production=production)
        return self
