"""schemathesis against the OpenAPI document each running service serves (README.md).

Each test is one ``schemathesis run`` over every operation of one document: examples, coverage (boundary
and invalid values), fuzzing and, where the document has OpenAPI links, stateful sequences (create, then
read, change, delete what was created). Every answer must pass the checks of ``schemathesis.toml``: no 5xx;
status code, content type, headers and body as documented; problem+json on every 4xx, naming the field at
fault when validation failed. Admin operations run with a development admin token, and again without one.
"""

from __future__ import annotations

from typing import Any

import pytest

# Selects the operations whose document asks for a bearer token (`--include-by`: a JSON pointer into the
# operation and the value found there).
PRODUCT_ADMIN = "/security/0/HTTPBearer == []"
PAYMENT_ADMIN = "/security/0/bearerAuth == []"
# Without a token an admin operation refuses every request: nothing to link, no stateful phase.
STATELESS = ("--phases", "examples,coverage,fuzzing")


def test_product(schemathesis_cli: Any, admin_token: dict[str, str]) -> None:
    result = schemathesis_cli.run("product", "product", token=admin_token.get("product"))
    assert result.returncode == 0, str(result)


def test_product_admin_without_token(schemathesis_cli: Any) -> None:
    result = schemathesis_cli.run(
        "product-admin-without-token", "product", "--include-by", PRODUCT_ADMIN, *STATELESS
    )
    assert result.returncode == 0, str(result)


def test_order(schemathesis_cli: Any) -> None:
    result = schemathesis_cli.run("order", "order")
    assert result.returncode == 0, str(result)


def test_payment(schemathesis_cli: Any, admin_token: dict[str, str], known_order: str) -> None:
    result = schemathesis_cli.run(
        "payment", "payment", token=admin_token.get("payment"), known_values={"path.order_id": [known_order]}
    )
    assert result.returncode == 0, str(result)


def test_payment_admin_without_token(schemathesis_cli: Any) -> None:
    result = schemathesis_cli.run(
        "payment-admin-without-token", "payment", "--include-by", PAYMENT_ADMIN, *STATELESS
    )
    assert result.returncode == 0, str(result)


def test_notification(schemathesis_cli: Any, known_order: str) -> None:
    result = schemathesis_cli.run(
        "notification", "notification", known_values={"query.orderId": [known_order]}
    )
    assert result.returncode == 0, str(result)


@pytest.mark.parametrize(
    ("status", "content_type", "body", "complaint"),
    [
        (404, "application/json", {"detail": "Not Found"}, "not application/problem+json"),
        (401, "application/problem+json", {"title": "Unauthorized", "status": 401}, "`type`"),
        (
            409,
            "application/problem+json",
            {"type": "t", "title": "x", "status": 400},
            "the response's is 409",
        ),
        (422, "application/problem+json", {"type": "t", "title": "x", "status": 422}, "names no field"),
        (
            400,
            "application/problem+json; charset=utf-8",
            {"type": "t", "title": "x", "status": 400},
            "no field",
        ),
    ],
)
def test_problem_check_bites(
    problem_failures: Any, status: int, content_type: str, body: Any, complaint: str
) -> None:
    """The check of our own refuses what it is there to refuse (no platform needed)."""
    assert complaint in "; ".join(problem_failures(status, content_type, body))


@pytest.mark.parametrize(
    ("status", "content_type", "body"),
    [
        (200, "application/json", {"anything": True}),
        (404, "application/problem+json", {"type": "about:blank", "title": "Not found", "status": 404}),
        (
            422,
            "application/problem+json",
            {"type": "t", "title": "x", "status": 422, "errors": [{"field": "a"}]},
        ),
        (400, "application/problem+json", {"type": "t", "title": "x", "status": 400, "field": "orderId"}),
        (400, "application/problem+json", {"type": "p/malformed-json", "title": "x", "status": 400}),
    ],
)
def test_problem_check_passes(problem_failures: Any, status: int, content_type: str, body: Any) -> None:
    assert problem_failures(status, content_type, body) == []
