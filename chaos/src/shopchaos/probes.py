"""Probes: component health (the platform's own health checks) and the platform invariants."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from shop_invariants import Expectations, settle
from shopctl.commands import ports_in_use
from shopctl.health import check, probe_client

from shopchaos import load, runlog
from shopchaos.platform import ChaosError, LocalPlatform, dead_letter_counts

__all__ = ["invariants_hold", "platform_healthy", "product_images_served"]


def unhealthy_components(names: list[str] | None = None) -> dict[str, str]:
    """Component → what its health check saw, for every running component that is not healthy."""
    platform = LocalPlatform.current()
    state = platform.state()
    chosen = names or list(state.components)
    components = platform.workspace.resolve(chosen, ports_in_use(state))

    async def probe_all() -> dict[str, str]:
        async with probe_client() as client:
            answers = await asyncio.gather(*(check(c.health, client) for c in components if c.name in chosen))
        return {
            c.name: detail for c, (healthy, detail) in zip(components, answers, strict=False) if not healthy
        }

    return asyncio.run(probe_all())


def platform_healthy(components: list[str] | None = None) -> bool:
    """True when every running component (or the ones named) answers its health check."""
    return not unhealthy_components(components)


def invariants_hold(
    within: float = 120.0, dead_letters_meant: dict[str, int] | None = None
) -> dict[str, Any]:
    """Check the invariants over the orders the stream accepted, waiting up to `within` seconds for them to
    hold; returns the report (`verdict`: "all hold" or "broken: NAME, ...", `settledAfter`, each invariant
    with its counts) for the journal. An experiment's tolerance matches `verdict` against `^all hold$`.
    Before any stream ran there is nothing to check but the dead-letter queues and the outbox."""
    streamed = load.expectations(dead_letters_meant or {}, within)
    expectations = streamed or Expectations((), {}, dead_letter_counts(), within)
    started = time.monotonic()
    report = asyncio.run(settle(LocalPlatform.current().endpoints(), expectations, within=within))
    rendered = report.as_json()
    rendered["verdict"] = "all hold" if report.holds else "broken: " + ", ".join(report.failed())
    rendered["printed"] = report.render()
    print(report.render(), flush=True)
    if streamed is not None:  # the check before the method only proves the platform was sound
        runlog.invariants_checked(rendered, started)
    return rendered


def product_images_served(sample: int = 10) -> int:
    """The first `sample` products' images (kept in Blob storage) are served; returns how many were checked.
    Raises when one is missing, naming the product."""
    product = LocalPlatform.current().url("product")
    listed = httpx.get(f"{product}/products", params={"limit": sample}, timeout=10).json()["items"]
    checked = 0
    for item in listed:
        if item.get("imageUrl"):
            answer = httpx.get(f"{product}{item['imageUrl']}", timeout=10)
            if answer.status_code != 200 or not answer.content:
                raise ChaosError(f"product {item['id']}: image answered {answer.status_code}")
            checked += 1
    if not checked:
        raise ChaosError("no product image to check: the catalog has none")
    return checked
