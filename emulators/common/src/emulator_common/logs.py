"""JSON logs for the emulators, in the services' shape: `servicekit.logs` is the one formatter.

Callers pass structured fields with ``extra={...}``; every field that is not a standard `LogRecord`
attribute is copied into the JSON object. Never pass message bodies, tokens or keys.
"""

from __future__ import annotations

from typing import TextIO

from servicekit.logs import configure_logging as _configure_service_logging


def configure_logging(service: str, level: str | int = "INFO", stream: TextIO | None = None) -> None:
    """Route the root logger to ``stream`` (stdout by default) as JSON lines; idempotent. ``service`` is
    the emulator's component name in harness/platform.yaml (``servicebus``, ``eventhubs``, ``mailbox``)."""
    # aiohttp's access log is one line per request at INFO, too chatty for an emulator under test load.
    _configure_service_logging(level, service, quiet=("aiohttp.access",), stream=stream)
