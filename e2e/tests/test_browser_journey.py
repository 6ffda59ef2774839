"""The storefront's browser journeys (services/frontend/e2e) against the same running platform."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Shop

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SHOP_CHROMIUM", "/usr/bin/chromium")


def test_browser_journeys_pass_in_chromium(shop: Shop) -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs it with apt-get")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set SHOP_CHROMIUM)")
    npm = shutil.which("npm")
    assert npm, "npm is required"
    env = {
        **os.environ,
        "SHOP_FRONTEND_URL": f"http://127.0.0.1:{shop.platform.port('frontend', 'http')}",
        "SHOP_MAILBOX_URL": f"http://127.0.0.1:{shop.platform.port('mailbox', 'http')}",
        "SHOP_CHROMIUM": CHROMIUM,
    }
    run = subprocess.run(
        [npm, "run", "test:e2e", "--workspace", "services/frontend"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
