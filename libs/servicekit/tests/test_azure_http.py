"""Azure SDK clients skip aiohttp's per-request proxy and ~/.netrc look-up unless a proxy is configured."""

from __future__ import annotations

import pytest
from azure.data.tables.aio import TableClient
from servicekit.azure_http import proxy_configured, transport_options
from servicekit.tables import TableStore
from shopctl.emulator_accounts import azurite_connection_string

AZURITE = azurite_connection_string(table="http://127.0.0.1:10002/devstoreaccount1")
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_proxy")
def test_without_a_proxy_the_environment_is_not_consulted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "localhost")  # names no proxy
    assert proxy_configured() is False
    assert transport_options() == {"use_env_settings": False}


@pytest.mark.usefixtures("no_proxy")
@pytest.mark.parametrize("name", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_proxy_keeps_the_environment_settings(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "http://proxy.internal:3128")
    assert proxy_configured() is True
    assert transport_options() == {}


@pytest.mark.usefixtures("no_proxy")
def test_tables_are_opened_with_the_transport_options() -> None:
    store = TableStore.connect("ledger", connection_string=AZURITE, endpoint=None)
    client = store._client
    assert isinstance(client, TableClient)
    assert client._client._client._pipeline._transport._use_env_settings is False
