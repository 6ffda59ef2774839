"""Secrets from Azure Key Vault (azure-keyvault-secrets) as a pydantic-settings source.

Used only when ``PAYMENT_KEY_VAULT_URL`` is set (in Azure, with the pod's workload identity through
``DefaultAzureCredential``). A value given in the environment wins over the vault, so a local run never
needs a vault. The secret names follow Key Vault's rules (letters, digits, dashes).

The Azure SDK is imported only when a vault URL is set: every process reads its settings, the API's
gunicorn master included, which otherwise imports no Azure SDK (about 10 MiB of resident memory).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

if TYPE_CHECKING:
    from azure.keyvault.secrets import SecretClient


class SecretReader(Protocol):
    def get_secret(self, name: str) -> Any: ...


class KeyVaultSettingsSource(PydanticBaseSettingsSource):
    def __init__(
        self,
        settings_cls: type[BaseSettings],
        *,
        secrets: dict[str, str],
        url_field: str = "key_vault_url",
        client_factory: Callable[[str], SecretReader] | None = None,
    ) -> None:
        """``secrets`` maps settings field names to Key Vault secret names; ``client_factory`` makes the
        secret client for a vault URL (default: azure-keyvault-secrets with ``DefaultAzureCredential``)."""
        super().__init__(settings_cls)
        self._secrets = secrets
        self._url_field = url_field
        self._client_factory = client_factory or _secret_client

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ fetches every mapped secret at once.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        url = self.current_state.get(self._url_field)
        if not url:
            return {}
        wanted = {
            name: secret for name, secret in self._secrets.items() if self.current_state.get(name) is None
        }
        if not wanted:
            return {}
        from azure.core.exceptions import ResourceNotFoundError  # with a vault only: see the module doc

        client = self._client_factory(str(url))
        values: dict[str, Any] = {}
        for name, secret_name in wanted.items():
            try:
                values[name] = client.get_secret(secret_name).value
            except ResourceNotFoundError:
                continue  # the field's own validation reports it as missing
        return values


def _secret_client(url: str) -> SecretClient:
    from azure.keyvault.secrets import SecretClient  # with a vault only: see the module doc

    from payment_service.adapters.identity import sync_credential

    return SecretClient(vault_url=url, credential=sync_credential())
