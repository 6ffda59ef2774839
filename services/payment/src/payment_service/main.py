"""Entry point of the API (``payment-service``): wires settings, logging, error handling and routes."""

from __future__ import annotations

from flask import Flask

from payment_service.api import observability, ops, payments, problems
from payment_service.logs import configure_logging
from payment_service.runtime import ApiRuntime
from payment_service.server import GunicornServer
from payment_service.settings import Settings, load_settings


def create_app(settings: Settings, runtime: ApiRuntime | None = None) -> Flask:
    configure_logging(settings.log_level, "payment-service")
    app = Flask("payment_service")
    app.json.sort_keys = False  # type: ignore[attr-defined]  # DefaultJSONProvider has it
    app.extensions["payment"] = runtime or ApiRuntime.start(settings)
    problems.install(app)
    observability.install(app)
    app.register_blueprint(payments.blueprint)
    app.register_blueprint(ops.blueprint)
    return app


def run() -> None:
    settings = load_settings("payment-service")
    configure_logging(settings.log_level, "payment-service")
    GunicornServer(lambda: create_app(settings), settings).run()
