"""Serves the Flask app with gunicorn (threaded workers); see the README for why gunicorn.

Each gunicorn worker process builds its own app (and so its own clients, I/O loop and span exporter) after
the fork, and closes them (flushing its spans) when it exits; SIGTERM lets in-flight requests finish
within ``PAYMENT_SHUTDOWN_GRACE_SECONDS``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]
from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]

from payment_service.settings import Settings
from payment_service.slow_clients import REQUEST_DEADLINES

if TYPE_CHECKING:
    from flask import Flask


class DeadlineThreadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's threaded worker, with a deadline on reading each request (`slow_clients`)."""

    def handle(self, conn: Any) -> Any:
        REQUEST_DEADLINES.arm(conn.sock)
        try:
            return super().handle(conn)
        finally:
            REQUEST_DEADLINES.disarm()


class GunicornServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, factory: Callable[[], Flask], settings: Settings) -> None:
        self._factory = factory
        self._settings = settings
        self._app: Flask | None = None
        super().__init__()

    def load_config(self) -> None:
        settings = self._settings
        REQUEST_DEADLINES.seconds = settings.request_timeout_seconds
        options: dict[str, Any] = {
            "bind": f"{settings.host}:{settings.port}",
            "workers": settings.web_workers,
            "threads": settings.web_threads,
            "worker_class": DeadlineThreadWorker,
            "graceful_timeout": math.ceil(settings.shutdown_grace_seconds),
            "accesslog": None,
            "errorlog": "-",
            "loglevel": settings.log_level.lower(),
            # gunicorn's own lines in the same JSON shape as ours; no control socket (read-only file system).
            "logconfig_dict": _json_log_config(settings.log_level.upper()),
            "control_socket_disable": True,
            # Heartbeat files in memory: the container's root file system is read-only.
            # Gunicorn heartbeats, not data (B108).
            "worker_tmp_dir": "/dev/shm",  # nosec B108
            "worker_exit": self._worker_exit,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        self._app = self._factory()
        return self._app

    def _worker_exit(self, server: Any, worker: Any) -> None:
        # Imported here, in the worker that configured tracing: the master never imports OpenTelemetry.
        from servicekit.tracing import shutdown_tracing

        if self._app is not None:
            self._app.extensions["payment"].close()
        shutdown_tracing()


def _json_log_config(level: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "servicekit.logs.JsonFormatter", "service": "payment"}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
        },
        "loggers": {"gunicorn.error": {"handlers": ["stdout"], "level": level, "propagate": False}},
        "root": {"handlers": ["stdout"], "level": level},
    }
