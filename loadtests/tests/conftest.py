"""The platform the load tests drive (what the saga needs, on free ports, once per session) and a runner of
`shop-load` as a pipeline calls it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from shopctl.testing import LaunchedPlatform, launched

# The saga's entry points; product, the brokers and storage start with them. The storefront, payment API
# and notification are not on the load's path.
SAGA_COMPONENTS = ("order", "payment-worker")
SHOP_LOAD = str(Path(sys.executable).parent / "shop-load")
LOCUST = str(Path(sys.executable).parent / "locust")

ShopLoad = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def platform() -> Iterator[LaunchedPlatform]:
    with launched(*SAGA_COMPONENTS, record_state=True) as started:
        yield started


@pytest.fixture
def shop_load() -> ShopLoad:
    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SHOP_LOAD, *args], capture_output=True, text=True, timeout=timeout, check=False
        )

    return run


def read_summary(results: Path, mode: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((results / mode / "summary.json").read_text(encoding="utf-8"))
    return loaded
