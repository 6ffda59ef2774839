"""Settings fail fast on missing or contradictory configuration."""

from __future__ import annotations

from typing import Any

import pytest
from payment_service.settings import Settings
from pydantic import ValidationError

BASE: dict[str, Any] = {
    "environment": "development",
    "servicebus_connection_string": "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=SAS_KEY_VALUE",
    "tables_connection_string": "UseDevelopmentStorage=true",
    # pragma: allowlist nextline secret (the local gateway simulator's test key)
    "gateway_api_key": "sk_test_local",
    "auth_mode": "dev",
    "auth_dev_signing_key": "x" * 32,
}


def make(**overrides: Any) -> Settings:
    values = {**BASE, **overrides}
    return Settings(_env_file=None, **{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]


def test_settings_accept_a_complete_local_configuration() -> None:
    settings = make()
    assert settings.port == 8003
    assert (settings.contracts_dir / "PaymentRequested.v1.schema.json").is_file()


def test_settings_require_the_gateway_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAYMENT_GATEWAY_API_KEY", raising=False)
    with pytest.raises(ValidationError, match="gateway_api_key"):
        make(gateway_api_key=None)


def test_settings_require_exactly_one_service_bus_address() -> None:
    with pytest.raises(ValidationError, match="exactly one of PAYMENT_SERVICEBUS"):
        make(servicebus_namespace="contoso.servicebus.windows.net")


def test_settings_refuse_the_crash_switch_in_production() -> None:
    with pytest.raises(ValidationError, match="PAYMENT_CRASH_AFTER"):
        make(environment="production", auth_mode="entra", auth_entra_tenant_id="t", crash_after="charge")


def test_settings_refuse_dev_tokens_in_production() -> None:
    with pytest.raises(ValidationError, match="PAYMENT_AUTH_MODE=dev is refused"):
        make(environment="production")


def test_settings_refuse_short_dev_signing_key() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        make(auth_dev_signing_key="short")


def test_settings_refuse_contracts_dir_without_schemas(tmp_path: Any) -> None:
    with pytest.raises(ValidationError, match="holds no message schemas"):
        make(contracts_dir=str(tmp_path))
