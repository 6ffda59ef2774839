"""``product-service``: one server process, or, with ``PRODUCT_WORKERS`` > 1, a supervisor of several
(`workers`). Kept light: a supervisor never imports the application."""

from __future__ import annotations

from servicekit.settings import load_settings

from product_service.settings import Settings
from product_service.workers import supervise, worker_socket


def run() -> None:
    settings = load_settings(Settings, "product-service")
    inherited = worker_socket()
    if inherited is None and settings.workers > 1:
        supervise(settings)
        return
    from product_service.main import serve  # the application: only a serving process imports it

    serve(settings, inherited)
