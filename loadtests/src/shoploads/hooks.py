"""Registering Locust event listeners from typed code (Locust leaves EventHook.add_listener unannotated)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from locust.event import EventHook


def listen(hook: EventHook, handler: Callable[..., Any]) -> None:
    hook.add_listener(handler)  # type: ignore[no-untyped-call]
