"""The real local stand-ins from harness/platform.yaml start, answer, and stop."""

from __future__ import annotations

import httpx
import psutil
from shopctl.testing import launched


def test_azurite_and_cosmos_start_on_free_ports_and_answer() -> None:
    with launched("azurite", "cosmos") as platform:
        cosmos = httpx.get(platform.url("cosmos"), timeout=5)
        assert cosmos.status_code == 200
        assert "databaseAccountEndpoint" in cosmos.text
        # Azurite rejects the unsigned request, which proves the blob service itself answered.
        blob = httpx.get(f"{platform.url('azurite', 'blob')}?comp=list", timeout=5)
        assert blob.status_code == 403
        table = httpx.get(f"{platform.url('azurite', 'table')}/Tables", timeout=5)
        assert table.status_code in (401, 403)
        assert (platform.state_dir / "data" / "azurite").is_dir()
        ports = {platform.port("cosmos"), platform.port("azurite", "blob")}
    listening = {c.laddr.port for c in psutil.net_connections("inet") if c.status == psutil.CONN_LISTEN}
    assert not ports & listening
