"""A test-only crash switch: ``PAYMENT_CRASH_AFTER=charge|record|publish|published`` kills the worker
process with SIGKILL right after that step of the first payment it handles.

It exists so the kill-and-restart tests can stop the real process at an exact point between two durable
steps, which no timing could do reliably. Settings refuse it in production.
"""

from __future__ import annotations

import logging
import os
import signal
from enum import StrEnum

log = logging.getLogger(__name__)


class CrashPoint(StrEnum):
    CHARGE = "charge"
    RECORD = "record"
    PUBLISH = "publish"
    PUBLISHED = "published"


class CrashAfter:
    def __init__(self, point: CrashPoint | None) -> None:
        self._point = point

    def __call__(self, step: str) -> None:
        if self._point is not None and step == self._point.value:
            log.warning("PAYMENT_CRASH_AFTER reached: killing the worker", extra={"step": step})
            os.kill(os.getpid(), signal.SIGKILL)
