"""The capacity curve's load: the user count in steps, each held long enough to settle.

SHOP_LOAD_CURVE_STEPS (users per step, comma separated) and SHOP_LOAD_CURVE_STEP_SECONDS set it.
"""

from __future__ import annotations

import os

from locust import LoadTestShape

# Offered orders/s = users / 2 / the shopper's pace (mix.py): 8 to 92, past what the platform sustains.
DEFAULT_STEPS = "20,40,80,120,160,200,240"


def curve_steps() -> list[int]:
    steps = [int(s) for s in os.environ.get("SHOP_LOAD_CURVE_STEPS", DEFAULT_STEPS).split(",") if s.strip()]
    if not steps or any(s <= 0 for s in steps):
        raise ValueError(f"SHOP_LOAD_CURVE_STEPS must list positive user counts, got {steps}")
    return steps


class StepCurve(LoadTestShape):
    """Holds each user count of `curve_steps()` for `step_seconds`, then stops."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Locust leaves it unannotated
        self.steps = curve_steps()
        self.step_seconds = float(os.environ.get("SHOP_LOAD_CURVE_STEP_SECONDS", "20"))

    def tick(self) -> tuple[int, float] | None:
        step = int(self.get_run_time() // self.step_seconds)  # type: ignore[no-untyped-call]
        if step >= len(self.steps):
            return None
        users = self.steps[step]
        return users, float(max(users, 10))
