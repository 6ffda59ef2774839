"""Entry point (``notification-service``): settings, logging, then the consumer and its HTTP app."""

from __future__ import annotations

import asyncio

from notification_service.logs import configure_logging
from notification_service.runtime import serve
from notification_service.settings import load_settings


def run() -> None:
    settings = load_settings("notification-service")
    configure_logging(settings.log_level, "notification-service")
    asyncio.run(serve(settings))
