"""The API's Flask app: logging, tracing, error handling and routes on the runtime's clients. Built in the
process that serves it (``main.py`` runs it under gunicorn; the tests call ``create_app`` directly)."""

from __future__ import annotations

from flask import Flask
from servicekit.logs import configure_logging
from servicekit.tracing import configure_tracing, instrument_flask

from payment_service.api import limits, observability, openapi, ops, payments, problems
from payment_service.runtime import ApiRuntime
from payment_service.settings import QUIET_LOGGERS, Settings


def create_app(settings: Settings, runtime: ApiRuntime | None = None) -> Flask:
    """Builds the app in the process that serves it: under gunicorn, in each worker after the fork (the
    span exporter's thread and the clients' loop do not survive a fork)."""
    configure_logging(settings.log_level, "payment", quiet=QUIET_LOGGERS)
    configure_tracing("payment", environment=settings.environment.value)
    app = Flask("payment_service")
    app.json.sort_keys = False  # type: ignore[attr-defined]  # DefaultJSONProvider has it
    app.extensions["payment"] = runtime or ApiRuntime.start(settings)
    problems.install(app)
    # Before observability: its request hooks run after the server span has started, and log with its ids.
    instrument_flask(app)
    observability.install(app)
    limits.install(app, settings.max_body_bytes)
    app.register_blueprint(payments.blueprint)
    app.register_blueprint(ops.blueprint)
    app.register_blueprint(openapi.blueprint)
    return app
