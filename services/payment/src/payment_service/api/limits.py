"""Request size and slowness limits of the API, answered as problem+json before any route runs.

A body over ``PAYMENT_MAX_BODY_BYTES`` gets 413 (checked against ``Content-Length`` and again while
reading, for chunked bodies); a body not in by the request deadline (``slow_clients``) gets 408.
"""

from __future__ import annotations

from flask import Flask, request
from servicekit.problems import ApiError
from werkzeug.exceptions import ClientDisconnected

from payment_service.slow_clients import REQUEST_DEADLINES


def install(app: Flask, max_body_bytes: int) -> None:
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes

    @app.before_request
    def _read_body_within_limits() -> None:
        declared = request.content_length
        if declared is not None and declared > max_body_bytes:
            raise ApiError(
                413,
                "Content Too Large",
                f"the request body exceeds {max_body_bytes} bytes",
                slug="body-too-large",
            )
        # Read the body here, under the deadline, so a slow client never reaches a route holding a thread.
        disconnected: ClientDisconnected | None = None
        try:
            request.get_data(cache=True)
        except ClientDisconnected as error:
            disconnected = error
        if REQUEST_DEADLINES.disarm():
            raise ApiError(
                408,
                "Request Timeout",
                f"the request body did not arrive within {REQUEST_DEADLINES.seconds:g} s",
                slug="request-timeout",
            )
        if disconnected is not None:
            raise disconnected
