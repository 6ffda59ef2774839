"""The Cosmos DB server keeps everything in memory: restarted alone, it leaves the product service without
its database. The chosen remedy is re-seeding: `shopchaos.processes.restart("cosmos")` restarts the product
service after it, which recreates the database and seeds the catalog."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import httpx
from shopchaos import processes

if TYPE_CHECKING:
    from conftest import RunningPlatform


def catalog(platform: RunningPlatform) -> tuple[int, list[Any]]:
    state = json.loads(platform.workspace.state_path.read_text())["components"]
    answer = httpx.get(
        f"http://127.0.0.1:{state['product']['ports']['http']}/products", params={"limit": 100}
    )
    return answer.status_code, answer.json().get("items", []) if answer.status_code == 200 else []


def test_cosmos_restart_loses_the_catalog_unless_product_reseeds_it(platform: RunningPlatform) -> None:
    status, before = catalog(platform)
    assert status == 200
    assert len(before) == 100

    alone = subprocess.run(
        [sys.executable, "-m", "shopctl", "restart", "cosmos"], capture_output=True, text=True, check=False
    )
    assert alone.returncode == 0, alone.stderr
    # The product service may answer from its catalog cache for PRODUCT_CATALOG_CACHE_SECONDS (2 s) more.
    deadline = time.monotonic() + 10
    status, items = catalog(platform)
    while (status, len(items)) == (200, 100) and time.monotonic() < deadline:
        time.sleep(0.25)
        status, items = catalog(platform)
    assert (status, len(items)) != (200, 100), "an in-memory Cosmos DB server kept its data across a restart"

    outcome = processes.restart("cosmos")
    assert outcome["ready"] is True
    assert [(also["component"], also["ready"]) for also in outcome["also"]] == [("product", True)]
    status, after = catalog(platform)
    assert status == 200
    assert sorted(p["id"] for p in after) == sorted(p["id"] for p in before)
