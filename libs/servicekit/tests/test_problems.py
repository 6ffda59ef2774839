"""Problem details documents (RFC 9457) built without a web framework."""

from __future__ import annotations

from servicekit.problems import PROBLEM_BASE, ApiError, problem_document


def test_problem_document_has_standard_members_and_typed_slug() -> None:
    body = problem_document(404, "Not found", "no such order", "/payments/ord_1", "payment-not-found")

    assert body == {
        "type": PROBLEM_BASE + "payment-not-found",
        "title": "Not found",
        "status": 404,
        "detail": "no such order",
        "instance": "/payments/ord_1",
    }


def test_problem_document_without_slug_is_about_blank_and_omits_empty_detail() -> None:
    body = problem_document(405, "Method not allowed", None, "/health")

    assert body["type"] == "about:blank"
    assert "detail" not in body


def test_problem_document_appends_extension_members() -> None:
    body = problem_document(400, "Bad request", "x", "/p", "invalid-parameter", field="orderId", traceId="ab")

    assert body["field"] == "orderId"
    assert body["traceId"] == "ab"


def test_api_error_copies_headers_and_defaults_to_none_slug_and_field() -> None:
    headers = {"WWW-Authenticate": "Bearer"}
    error = ApiError(401, "Unauthorized", "token required", headers=headers)
    headers.clear()

    assert error.headers == {"WWW-Authenticate": "Bearer"}
    assert error.slug is None
    assert error.field is None
    assert str(error) == "token required"
