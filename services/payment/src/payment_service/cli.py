"""``payment-dev-token``: prints an admin bearer token for local use (PAYMENT_AUTH_MODE=dev only)."""

from __future__ import annotations

import argparse

from servicekit.auth import mint_dev_token
from servicekit.settings import load_settings

from payment_service.settings import AuthMode, Settings


def dev_token() -> None:
    """Prints an admin bearer token signed with the local development key (PAYMENT_AUTH_MODE=dev only)."""
    parser = argparse.ArgumentParser(prog="payment-dev-token", description=dev_token.__doc__)
    parser.add_argument("--subject", default="dev-admin")
    parser.add_argument("--lifetime", type=int, default=3600, help="seconds (default 3600)")
    args = parser.parse_args()
    settings = load_settings(Settings, "payment-dev-token")
    if settings.auth_mode is not AuthMode.DEV:
        parser.exit(2, "payment-dev-token needs PAYMENT_AUTH_MODE=dev\n")
    print(mint_dev_token(settings, args.subject, [settings.auth_admin_role], args.lifetime))
