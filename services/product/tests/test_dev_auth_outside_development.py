"""The public development signing key works in development only: outside it the real server and the
token minting script refuse to start, naming the settings at fault."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from product_service.settings import Settings


@pytest.mark.parametrize("program", ["product-service", "product-dev-token"])
def test_dev_auth_outside_development_refuses_to_start(
    program: str, settings_for: Callable[..., Settings], process_env: Callable[..., dict[str, Any]]
) -> None:
    env = process_env(settings_for(), PRODUCT_ENVIRONMENT="production")

    result = subprocess.run(
        [str(Path(sys.executable).parent / program)], env=env, capture_output=True, text=True, timeout=30
    )

    assert result.returncode != 0
    assert "PRODUCT_AUTH_MODE=dev is refused when PRODUCT_ENVIRONMENT=production" in result.stderr
