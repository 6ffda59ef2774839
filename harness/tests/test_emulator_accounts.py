"""The emulators' well-known credentials: one copy for tests and tools, the same the platform gives the
services, and connection strings built from them that a real Azurite accepts."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient
from shopctl.emulator_accounts import AZURITE_ACCOUNT_KEY, COSMOS_EMULATOR_KEY, azurite_connection_string
from shopctl.platform import load_platform
from shopctl.testing import launched
from shopctl.workspace import PLATFORM_FILE

REPO_PLATFORM = Path(__file__).resolve().parents[2] / PLATFORM_FILE


def test_the_platform_gives_the_services_these_keys() -> None:
    product = load_platform(REPO_PLATFORM).components["product"].env

    assert product["PRODUCT_COSMOS_KEY"] == COSMOS_EMULATOR_KEY
    assert f"AccountKey={AZURITE_ACCOUNT_KEY};" in product["PRODUCT_BLOB_CONNECTION_STRING"]


def test_a_connection_string_names_the_account_and_each_endpoint_given() -> None:
    found = azurite_connection_string(
        blob="http://127.0.0.1:1/devstoreaccount1", table="http://127.0.0.1:3/devstoreaccount1"
    )

    assert found == (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        f"AccountKey={AZURITE_ACCOUNT_KEY};"
        "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:3/devstoreaccount1;"
    )


def test_a_connection_string_without_an_endpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one endpoint"):
        azurite_connection_string()


def test_a_launched_azurite_accepts_its_connection_string() -> None:
    name = f"accounts-{uuid.uuid4().hex[:8]}"
    with launched("azurite") as platform:
        service = BlobServiceClient.from_connection_string(platform.azurite_connection_string("blob"))
        service.create_container(name)
        listed = [container.name for container in service.list_containers()]

    assert name in listed
