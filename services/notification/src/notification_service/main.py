"""Entry point (``notification-service``): settings, logging, tracing, then the consumer and its HTTP app."""

from __future__ import annotations

from servicekit import event_loop
from servicekit.logs import configure_logging
from servicekit.settings import load_settings
from servicekit.tracing import configure_tracing, instrument_http_clients, shutdown_tracing

from notification_service.runtime import serve
from notification_service.settings import Settings


def run() -> None:
    settings = load_settings(Settings, "notification-service")
    configure_logging(settings.log_level, "notification", quiet=("uamqp", "aiohttp.access"))
    # Before any client exists: the Azure SDK plugin and the aiohttp instrumentation apply to new clients.
    configure_tracing("notification", environment=settings.environment.value)
    instrument_http_clients()
    try:
        event_loop.run(serve(settings))
    finally:
        shutdown_tracing()
