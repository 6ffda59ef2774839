from __future__ import annotations

import pytest
from servicekit.admin_token import AdminBindError, check_admin_bind, check_bearer, is_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_hosts_are_loopback(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "10.1.2.3", "shop.example", "localhost.example"])
def test_wildcard_and_routable_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_a_wildcard_bind_without_a_token_is_refused_naming_the_setting() -> None:
    with pytest.raises(AdminBindError, match=r"'0\.0\.0\.0'.*MY_TOKEN"):
        check_admin_bind("0.0.0.0", None, "MY_TOKEN")


def test_a_wildcard_bind_with_a_token_and_a_loopback_bind_without_one_are_allowed() -> None:
    check_admin_bind("0.0.0.0", "secret-token", "MY_TOKEN")
    check_admin_bind("127.0.0.1", None, "MY_TOKEN")


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer   ", "Basic c2VjcmV0LXRva2Vu", "secret-token"]
)
def test_no_bearer_token_is_401(header: str | None) -> None:
    refusal = check_bearer(header, "secret-token")

    assert refusal is not None
    assert (refusal.status, refusal.field) == (401, "Authorization")


@pytest.mark.parametrize("presented", ["secret-tokeN", "secret-token-", "secret", "sécret-token"])
def test_another_token_is_403(presented: str) -> None:
    refusal = check_bearer(f"Bearer {presented}", "secret-token")

    assert refusal is not None
    assert refusal.status == 403


def test_the_token_passes_whatever_the_scheme_case() -> None:
    assert check_bearer("bearer secret-token", "secret-token") is None
    assert check_bearer("Bearer secret-token", "secret-token") is None
