"""The event loop the asyncio processes run on: uvloop where it exists (Linux, macOS: the images and CI),
asyncio's own elsewhere (the `loop` extra brings uvloop). Every message between the platform's processes
is a socket read and write; uvloop does both, and the scheduling around them, in C."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on the fastest loop installed."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def use_fastest_loop() -> None:
    """For code that calls ``asyncio.run`` itself (or a library that does): new loops are uvloop's."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
