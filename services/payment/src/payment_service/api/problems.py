"""Errors as application/problem+json (RFC 9457), translated once, here, for the whole API."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from servicekit.problems import PROBLEM_JSON, ApiError, problem_document
from werkzeug.exceptions import HTTPException

from payment_service.domain.errors import PaymentNotFoundError, RefundNotAllowedError

log = logging.getLogger(__name__)


def problem(error: ApiError) -> Response:
    extensions = {} if error.field is None else {"field": error.field}
    response = jsonify(
        problem_document(error.status, error.title, error.detail, request.path, error.slug, **extensions)
    )
    response.status_code = error.status
    response.mimetype = PROBLEM_JSON
    response.headers.update(error.headers)
    return response


def _translate(exc: Exception) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, PaymentNotFoundError):
        return ApiError(404, "Not found", str(exc), slug="payment-not-found", field="orderId")
    if isinstance(exc, RefundNotAllowedError):
        return ApiError(409, "Conflict", str(exc), slug="refund-not-allowed", field="orderId")
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        # Keep what werkzeug says besides the body: `Allow` on a 405 (RFC 9110), `Retry-After`, ...
        headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
        return ApiError(
            status,
            exc.name,
            exc.description or exc.name,
            slug=exc.name.lower().replace(" ", "-"),
            headers=headers,
        )
    log.exception("unhandled error")
    return ApiError(500, "Internal server error", "the request could not be completed", slug="internal")


def install(app: Flask) -> None:
    @app.errorhandler(Exception)
    def _handle(exc: Exception) -> Response:
        return problem(_translate(exc))
