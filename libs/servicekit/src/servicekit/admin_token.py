"""The shared admin token of the ops surfaces that have no user identity (emulators' admin APIs, the mailbox,
the local stand-ins): when they may listen off loopback, and how a request proves it holds the token.

Framework-independent: each server's glue (``servicekit.aiohttp_guard`` for aiohttp) turns the `ApiError`
into its problem+json answer.
"""

from __future__ import annotations

import hmac
import ipaddress

from servicekit.problems import ApiError

__all__ = ["DEFAULT_TOKEN_ENV", "AdminBindError", "check_admin_bind", "check_bearer", "is_loopback"]

# The environment variable the emulators and stand-ins read their admin token from unless told another.
# Bandit B105 is silenced below: this is the name of an environment variable, not a token.
# pragma: allowlist nextline secret (the variable's name)
DEFAULT_TOKEN_ENV = "EMULATOR_ADMIN_TOKEN"  # nosec B105
_FIELD = "Authorization"


class AdminBindError(ValueError):
    """A non-loopback listen address without an admin token."""


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses; wildcards (``0.0.0.0``, ``::``, empty) are not."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_admin_bind(host: str, token: str | None, setting: str) -> None:
    """Raises `AdminBindError` naming ``setting`` when ``host`` is reachable from other machines and no
    token protects the admin routes."""
    if not token and not is_loopback(host):
        raise AdminBindError(
            f"refusing to listen on {host!r} without an admin token: an address other than loopback "
            f"needs {setting} set (or listen on 127.0.0.1)"
        )


def check_bearer(authorization: str | None, token: str) -> ApiError | None:
    """None when ``authorization`` is ``Bearer <token>``; else 401 (no bearer token) or 403 (another one).

    The comparison takes the same time wherever the presented token first differs.
    """
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return ApiError(
            401,
            "Unauthorized",
            "this admin route needs an 'Authorization: Bearer <admin token>' header",
            slug="unauthorized",
            field=_FIELD,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(presented.strip().encode(), token.encode()):
        return ApiError(
            403,
            "Forbidden",
            "the bearer token is not this server's admin token",
            slug="forbidden",
            field=_FIELD,
        )
    return None
