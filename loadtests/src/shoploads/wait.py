"""Locust wait times built from a `mix.Persona`: a think time, and for a paced persona no task sooner than
`pace` seconds after the previous one started."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from shoploads.mix import Persona


def think_then_pace(persona: Persona) -> Callable[[Any], float]:
    """Locust calls a user's ``wait_time`` after each task. The wait is the persona's think time, or what is
    left of its pace since the task started when that is longer: a quick task waits out the pace, a task
    slower than the pace is followed by the think time only (the rate drops; nothing catches up)."""

    def wait_time(user: Any) -> float:
        now = time.monotonic()
        think = random.uniform(persona.think_low, persona.think_high)  # load, not crypto
        started = getattr(user, "_paced_task_started", None)
        wait = think if started is None else max(think, persona.pace - (now - started))
        user._paced_task_started = now + wait
        return wait

    return wait_time
