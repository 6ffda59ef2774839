"""Entry point of the API (``payment-service``): wires settings, logging, error handling and routes."""

from __future__ import annotations

from flask import Flask
from servicekit.logs import configure_logging
from servicekit.settings import load_settings

from payment_service.api import limits, observability, openapi, ops, payments, problems
from payment_service.runtime import ApiRuntime
from payment_service.server import GunicornServer
from payment_service.settings import Settings

# Held to warnings: gunicorn's access log (api.observability writes ours) and the legacy AMQP client.
_QUIET = ("uamqp", "gunicorn.access")


def create_app(settings: Settings, runtime: ApiRuntime | None = None) -> Flask:
    configure_logging(settings.log_level, "payment", quiet=_QUIET)
    app = Flask("payment_service")
    app.json.sort_keys = False  # type: ignore[attr-defined]  # DefaultJSONProvider has it
    app.extensions["payment"] = runtime or ApiRuntime.start(settings)
    problems.install(app)
    observability.install(app)
    limits.install(app, settings.max_body_bytes)
    app.register_blueprint(payments.blueprint)
    app.register_blueprint(ops.blueprint)
    app.register_blueprint(openapi.blueprint)
    return app


def run() -> None:
    settings = load_settings(Settings, "payment-service")
    configure_logging(settings.log_level, "payment", quiet=_QUIET)
    GunicornServer(lambda: create_app(settings), settings).run()
