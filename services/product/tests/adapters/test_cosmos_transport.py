"""The Cosmos DB and Blob clients trust the environment (proxy variables, ~/.netrc) only when a proxy is
configured: otherwise aiohttp would look both up in a worker thread on every request for nothing."""

from __future__ import annotations

import pytest
from product_service.adapters import clients

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def test_no_proxy_variable_means_the_environment_is_not_consulted_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert clients._transport()._use_env_settings is False


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_proxy_variable_keeps_the_environment_settings(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "http://proxy.internal:3128")
    assert clients._transport()._use_env_settings is True
