"""The Key Vault settings source. Key Vault itself cannot run here: the secret client is a stand-in for
Azure (the edge), the settings machinery around it is real."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from azure.core.exceptions import ResourceNotFoundError
from payment_service.adapters.keyvault import KeyVaultSettingsSource
from payment_service.settings import KEY_VAULT_SECRETS, Settings
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from ..test_settings import BASE


@dataclass
class _Secret:
    value: str


class StandInVault:
    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = secrets
        self.asked: list[str] = []

    def get_secret(self, name: str) -> _Secret:
        self.asked.append(name)
        if name not in self.secrets:
            raise ResourceNotFoundError(f"secret {name} not found")
        return _Secret(self.secrets[name])


def settings_with_vault(vault: StandInVault, **values: Any) -> Settings:
    class VaultSettings(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            source = KeyVaultSettingsSource(
                settings_cls, secrets=KEY_VAULT_SECRETS, client_factory=lambda url: vault
            )
            return init_settings, env_settings, source

    return VaultSettings(_env_file=None, **values)


def test_key_vault_fills_the_gateway_key_with_stand_in_vault_for_azure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PAYMENT_GATEWAY_API_KEY", raising=False)
    vault = StandInVault({"payment-gateway-api-key": "sk_test_from_vault"})
    values = {k: v for k, v in BASE.items() if k != "gateway_api_key"}

    settings = settings_with_vault(vault, key_vault_url="https://kv-shop.vault.azure.net/", **values)

    assert settings.gateway_api_key.get_secret_value() == "sk_test_from_vault"


def test_environment_wins_over_key_vault_with_stand_in_vault_for_azure() -> None:
    vault = StandInVault({"payment-gateway-api-key": "sk_test_from_vault"})

    settings = settings_with_vault(vault, key_vault_url="https://kv-shop.vault.azure.net/", **BASE)

    assert settings.gateway_api_key.get_secret_value() == "sk_test_local"
    assert vault.asked == []


def test_no_vault_url_never_asks_a_vault() -> None:
    vault = StandInVault({})

    settings_with_vault(vault, **BASE)

    assert vault.asked == []
