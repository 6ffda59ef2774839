"""What happened during one experiment, as the report needs it: each fault with the orders in flight when it
was applied, each recovery step, and the last invariant verdict. The runner resets it per experiment."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunLog:
    faults: list[str] = field(default_factory=list)
    in_flight: list[int] = field(default_factory=list)  # orders accepted, not yet terminal, at each fault
    recovered_at: float | None = None  # monotonic time of the last recovery step
    invariants: dict[str, Any] | None = None
    recovery_seconds: float | None = None


_lock = threading.Lock()
_current = RunLog()


def _no_orders_in_flight() -> int:
    return 0


# The order stream (shopchaos.load) registers how to count its orders in flight; without one there are none.
_count_in_flight: Callable[[], int] = _no_orders_in_flight


def count_in_flight_with(counter: Callable[[], int]) -> None:
    global _count_in_flight
    _count_in_flight = counter


def reset() -> RunLog:
    global _current
    with _lock:
        _current = RunLog()
        return _current


def current() -> RunLog:
    return _current


def fault_applied(description: str) -> None:
    with _lock:
        _current.faults.append(description)
        _current.in_flight.append(_count_in_flight())


def recovered() -> None:
    with _lock:
        _current.recovered_at = time.monotonic()


def invariants_checked(report: dict[str, Any], checked_at: float) -> None:
    """`checked_at`: monotonic time when the invariants started to be checked; recovery runs from the last
    recovery step (or from the check when nothing was recovered) to the moment they all held."""
    with _lock:
        _current.invariants = report
        settled = report.get("settledAfter")
        if settled is None:
            _current.recovery_seconds = None
            return
        since = _current.recovered_at if _current.recovered_at is not None else checked_at
        _current.recovery_seconds = round(checked_at - since + float(settled), 1)
