"""Every error leaves the service here, once, as application/problem+json (RFC 9457)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from servicekit.logs import current_trace_id
from servicekit.problems import PROBLEM_JSON, ApiError, problem_document
from starlette.exceptions import HTTPException as StarletteHTTPException

from product_service.domain import errors

log = logging.getLogger(__name__)


def traced_problem_document(
    status: int, title: str, detail: str | None, instance: str, slug: str | None = None, **extensions: Any
) -> dict[str, Any]:
    """A problem document carrying the request's trace id (``traceId``), so a client can quote it."""
    trace_id = current_trace_id()
    if trace_id:
        extensions = {"traceId": trace_id, **extensions}
    return problem_document(status, title, detail, instance, slug, **extensions)


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str | None = None,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = traced_problem_document(status, title, detail, request.url.path, slug, **extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# status, title, slug per domain error; checked in order, so subclasses come first.
_DOMAIN: Sequence[tuple[type[errors.DomainError], int, str, str]] = (
    (errors.NotFoundError, 404, "Not found", "not-found"),
    (errors.AlreadyExistsError, 409, "Already exists", "already-exists"),
    (errors.PreconditionFailedError, 412, "Precondition failed", "stale-version"),
    (errors.InvalidCursorError, 400, "Invalid cursor", "invalid-cursor"),
    (errors.ProductInUseError, 409, "Product in use", "product-in-use"),
    (errors.UnknownProductError, 422, "Unknown product", "unknown-product"),
    (errors.InsufficientStockError, 409, "Insufficient stock", "insufficient-stock"),
    (errors.ReservationConflictError, 409, "Reservation conflict", "reservation-conflict"),
    (errors.ImageRejectedError, 415, "Unsupported image", "unsupported-image"),
    (errors.ImageTooLargeError, 413, "Image too large", "payload-too-large"),
    (errors.DependencyUnavailableError, 503, "Service unavailable", "dependency-unavailable"),
)


def _field_path(loc: Sequence[str | int]) -> tuple[str, str, str]:
    """('body', 'items', 0, 'quantity') → ('body', 'items[0].quantity', '/items/0/quantity')."""
    where, *rest = loc if loc else ("body",)
    dotted = ""
    for part in rest:
        dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else str(part))
    pointer = "".join(f"/{part}" for part in rest)
    return str(where), dotted, pointer


def _field_error(where: str, field: str, pointer: str, message: str, kind: str) -> dict[str, str]:
    """One entry of a problem's ``errors``: the field at fault, as validation failures name theirs."""
    return {"in": where, "field": field, "pointer": pointer, "message": message, "type": kind}


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = exc.errors()
    malformed = next((issue for issue in issues if issue.get("type") == "json_invalid"), None)
    if malformed is not None:
        context = malformed.get("ctx") or {}
        return _malformed_body(request, str(context.get("error", "parse error")))
    described = []
    for issue in issues:
        where, field, pointer = _field_path(issue.get("loc", ()))
        described.append(
            {
                "in": where,
                "field": field or where,
                "pointer": pointer,
                "message": issue.get("msg", "invalid"),
                "type": issue.get("type", "invalid"),
            }
        )
    fields = ", ".join(sorted({d["field"] for d in described}))
    return problem(
        request,
        422,
        "Validation failed",
        f"invalid: {fields}",
        slug="validation-failed",
        errors=described,
    )


def _malformed_body(request: Request, reason: str) -> JSONResponse:
    return problem(
        request, 400, "Malformed JSON", f"the body is not valid JSON ({reason})", slug="malformed-json"
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's answer to a body it could not read at all (e.g. not UTF-8); JSON it could read but not
        # parse is a RequestValidationError (json_invalid), answered the same way above.
        return _malformed_body(request, "unreadable bytes")
    titles = {404: "Not found", 405: "Method not allowed"}
    return problem(
        request,
        exc.status_code,
        titles.get(exc.status_code, "HTTP error"),
        str(exc.detail) if exc.detail else None,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return problem(request, exc.status, exc.title, exc.detail, slug=exc.slug, headers=exc.headers)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.DomainError)
    for kind, status, title, slug in _DOMAIN:
        if isinstance(exc, kind):
            extensions: dict[str, Any] = {}
            if isinstance(exc, errors.ItemRejectedError):
                extensions = {
                    "productId": exc.problem.product_id,
                    "requested": exc.problem.requested,
                    "available": exc.problem.available,
                }
                if exc.index is not None:
                    field, pointer = f"items[{exc.index}].productId", f"/items/{exc.index}/productId"
                    reason = slug.replace("-", "_")
                    extensions["errors"] = [_field_error("body", field, pointer, exc.detail, reason)]
            if isinstance(exc, errors.InvalidCursorError):
                # A refused query parameter: named like any other validation failure.
                extensions = {
                    "errors": [_field_error("query", "cursor", "/cursor", exc.detail, "invalid_cursor")]
                }
            if status >= 500:
                log.warning("dependency unavailable", extra={"reason": exc.detail})
            return problem(request, status, title, exc.detail, slug=slug, **extensions)
    return problem(request, 400, "Bad request", exc.detail)


def _problem_media_types(app: FastAPI) -> None:
    """Error responses in the OpenAPI document are declared as application/problem+json only."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    for code, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if code[0] in "45" and "application/json" in content:
                            content[PROBLEM_JSON] = content.pop("application/json")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    _problem_media_types(app)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(errors.DomainError, _domain)
    # Anything else is answered with a 500 problem by ObservabilityMiddleware (inside the trace context).
