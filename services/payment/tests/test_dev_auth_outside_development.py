"""The admin refund route is signed for with the public development key only in development: the real
``payment-service`` process refuses to start with dev auth anywhere else, naming the settings at fault."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
LOCAL = {
    "PAYMENT_SERVICEBUS_CONNECTION_STRING": "Endpoint=sb://127.0.0.1:9;SharedAccessKeyName=k;SharedAccessKey=v;",
    "PAYMENT_TABLES_ENDPOINT": "http://127.0.0.1:9/devstoreaccount1",
    # pragma: allowlist nextline secret (the local gateway simulator's test key)
    "PAYMENT_GATEWAY_API_KEY": "sk_test_local",
    "PAYMENT_CONTRACTS_DIR": str(REPO / "contract-tests" / "messages"),
    "PAYMENT_AUTH_MODE": "dev",
    "PAYMENT_AUTH_DEV_SIGNING_KEY": "contoso-shop-local-development-signing-key",
}


def test_dev_auth_outside_development_stops_the_api_naming_the_setting() -> None:
    env = {**os.environ, **LOCAL, "PAYMENT_ENVIRONMENT": "production"}

    result = subprocess.run(
        [str(Path(sys.executable).parent / "payment-service")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode != 0
    assert "PAYMENT_AUTH_MODE=dev is refused when PAYMENT_ENVIRONMENT=production" in result.stderr
