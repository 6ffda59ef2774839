"""Waits: a pause between steps, or until components answer their health checks again."""

from __future__ import annotations

import time

from shopchaos.platform import ChaosError
from shopchaos.probes import unhealthy_components

__all__ = ["wait", "wait_until_healthy"]


def wait(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def wait_until_healthy(components: list[str] | None = None, timeout: float = 60.0) -> float:
    """Seconds until every component named (default: all running) is healthy; an error after `timeout`."""
    started = time.monotonic()
    while True:
        sick = unhealthy_components(components)
        if not sick:
            return round(time.monotonic() - started, 2)
        if time.monotonic() - started > timeout:
            raise ChaosError(f"not healthy after {timeout:g} s: {sick}")
        time.sleep(0.5)
