"""Entry point (``notification-service``): settings, logging, then the consumer and its HTTP app."""

from __future__ import annotations

import asyncio

from servicekit.logs import configure_logging
from servicekit.settings import load_settings

from notification_service.runtime import serve
from notification_service.settings import Settings


def run() -> None:
    settings = load_settings(Settings, "notification-service")
    configure_logging(settings.log_level, "notification", quiet=("uamqp", "aiohttp.access"))
    asyncio.run(serve(settings))
