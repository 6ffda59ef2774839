"""Microsoft Entra ID credentials (azure-identity) for the clients that run without keys in Azure."""

from __future__ import annotations

from azure.identity.aio import DefaultAzureCredential


def async_credential() -> DefaultAzureCredential:
    return DefaultAzureCredential()
