"""Errors as application/problem+json (RFC 9457), translated once, here, for the whole API."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from payment_service.domain.errors import PaymentNotFoundError, RefundNotAllowedError

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://contoso-shop.example/problems/"


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        slug: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.slug = slug
        self.field = field
        self.headers = headers or {}


def problem(error: ApiError) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + error.slug,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": request.path,
    }
    if error.field is not None:
        body["field"] = error.field
    response = jsonify(body)
    response.status_code = error.status
    response.mimetype = "application/problem+json"
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
        return ApiError(
            status, exc.name, exc.description or exc.name, slug=exc.name.lower().replace(" ", "-")
        )
    log.exception("unhandled error")
    return ApiError(500, "Internal server error", "the request could not be completed", slug="internal")


def install(app: Flask) -> None:
    @app.errorhandler(Exception)
    def _handle(exc: Exception) -> Response:
        return problem(_translate(exc))
