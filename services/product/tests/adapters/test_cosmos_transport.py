"""The Cosmos DB client trusts the environment (proxy variables, ~/.netrc) only when a proxy is configured:
otherwise aiohttp would look both up in a worker thread on every request for nothing."""

from __future__ import annotations

import pytest
from product_service.adapters import clients


def test_no_proxy_variable_means_the_environment_is_not_consulted_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in clients._PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert clients.proxy_configured() is False
    assert clients._transport()._use_env_settings is False


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_proxy_variable_keeps_the_environment_settings(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "http://proxy.internal:3128")
    assert clients.proxy_configured() is True
    assert clients._transport()._use_env_settings is True
