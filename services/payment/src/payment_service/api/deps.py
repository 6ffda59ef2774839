"""Typed access to the process's runtime from inside a request."""

from __future__ import annotations

from flask import current_app

from payment_service.runtime import ApiRuntime


def runtime() -> ApiRuntime:
    value: ApiRuntime = current_app.extensions["payment"]
    return value
