"""Health probes: one attempt each, returning whether the component answered and why not."""

from __future__ import annotations

import asyncio

import httpx

from shopctl.resolve import Probe


async def check(probe: Probe, client: httpx.AsyncClient) -> tuple[bool, str]:
    """(healthy, detail). HTTP answers below 500 count: a 401/403 still proves the server serves."""
    if probe.http:
        try:
            response = await client.get(probe.http)
        except httpx.HTTPError as exc:
            return False, type(exc).__name__
        return response.status_code < 500, f"HTTP {response.status_code}"
    for host, port in probe.tcp:
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=2)
        except (OSError, TimeoutError):
            return False, f"tcp {port} refused"
        writer.close()
        await writer.wait_closed()
    return True, "accepting"


def probe_client() -> httpx.AsyncClient:
    # Health URLs are loopback; never route them through a proxy from the environment.
    return httpx.AsyncClient(timeout=2.0, trust_env=False)
