"""``/health`` and ``/ready`` answers in the one shape of docs/conventions.md.

    status, body = await readiness({"cosmosDb": ping_cosmos, "blobStorage": ping_blob})

Each check is a coroutine function that returns when its dependency answers and raises otherwise; the
checks run concurrently, each within ``timeout_seconds``. Every service's ``/ready`` goes through
`readiness` and its ``/health`` through `liveness`; the framework glue (a route answering the body as
``application/json`` with the status) stays in the service.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

__all__ = ["Check", "NotReadyError", "awaiting", "describe", "liveness", "readiness"]

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[object]]

DEFAULT_TIMEOUT_SECONDS = 3.0
_CHECK_NAME = re.compile(r"^[a-z][a-zA-Z0-9]*$")
# Secrets that an SDK's error message could carry (connection string parts, SAS signatures).
_SECRET = re.compile(r"(?i)\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|sig)=[^;&\s]+")
_ERROR_MAX_CHARS = 200


class NotReadyError(Exception):
    """A dependency is not usable yet; its message is the check's whole ``error``."""


def awaiting(event: asyncio.Event, reason: str) -> Check:
    """A check that passes once ``event`` is set (a consumer that started receiving) and fails with
    ``reason`` until then."""

    async def check() -> None:
        if not event.is_set():
            raise NotReadyError(reason)

    return check


def liveness() -> tuple[int, dict[str, Any]]:
    """The ``/health`` answer: the process serves; no dependency is checked."""
    return 200, {"status": "ok", "checks": {}}


async def readiness(
    checks: Mapping[str, Check], timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
) -> tuple[int, dict[str, Any]]:
    """The ``/ready`` status code and body: 200 and ``ok`` when every check passes within ``timeout_seconds``,
    else 503 and ``unavailable``, each failed check with a short ``error``; failures are logged."""
    for name in checks:
        if not _CHECK_NAME.match(name):
            raise ValueError(f"readiness check names are camelCase: {name!r}")

    async def run(name: str, check: Check) -> tuple[str, dict[str, str]]:
        try:
            await asyncio.wait_for(check(), timeout_seconds)
        except TimeoutError:
            error = f"timed out after {timeout_seconds:g} s"
        except Exception as exc:  # any failure means "not ready"; the answer names it
            error = describe(exc)
        else:
            return name, {"status": "ok"}
        log.warning("readiness check failed", extra={"check": name, "error": error})
        return name, {"status": "unavailable", "error": error}

    results = dict(await asyncio.gather(*(run(name, check) for name, check in checks.items())))
    ok = all(result["status"] == "ok" for result in results.values())
    return (
        (200, {"status": "ok", "checks": results})
        if ok
        else (503, {"status": "unavailable", "checks": results})
    )


def describe(exc: BaseException) -> str:
    """A short phrase for an ``error``: the exception's class and the first line of its message, with
    anything that looks like a key or signature masked."""
    if isinstance(exc, NotReadyError):
        text = str(exc)
    else:
        first_line = next(iter(str(exc).strip().splitlines()), "")
        text = f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
    text = _SECRET.sub(lambda match: f"{match.group(1)}=***", text)
    return text if len(text) <= _ERROR_MAX_CHARS else text[: _ERROR_MAX_CHARS - 3] + "..."
