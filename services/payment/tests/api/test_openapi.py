"""``GET /openapi.json``: the hand-written document (api/openapi.py) names every route the Flask app
serves and nothing else, and the API's real answers are valid against it. The schemathesis runs in
contract-tests/schemathesis test the running service against the same document."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from payment_service.adapters.ledger import TableLedger
from payment_service.api.observability import route_template
from payment_service.api.openapi import openapi_document
from payment_service.settings import Settings
from werkzeug.test import TestResponse

from ..conftest import admin_token, published_payment

IMPLICIT = {"HEAD", "OPTIONS"}  # answered by Flask for every route, documented for none


def check_against_document(path: str, method: str, response: TestResponse) -> None:
    """The answer's status, media type, headers and body are what the document says for this operation."""
    document = openapi_document()
    answers = document["paths"][path][method]["responses"]
    assert str(response.status_code) in answers, f"{method.upper()} {path}: {response.status_code}"
    answer = answers[str(response.status_code)]
    assert response.mimetype in answer["content"], f"{method.upper()} {path}: {response.mimetype}"
    for name, header in answer.get("headers", {}).items():
        if header.get("required"):
            assert name in response.headers, f"{method.upper()} {path}: no {name} header"
    if response.mimetype.endswith("json"):
        schema = answer["content"][response.mimetype]["schema"]
        validator = Draft202012Validator(
            {**schema, "components": document["components"]},
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        validator.validate(response.get_json())


def test_document_names_every_route_the_app_serves_and_no_other(app: Flask) -> None:
    served = {
        (method, route_template(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - IMPLICIT
    }
    document = openapi_document()

    assert served == {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def test_served_document_is_the_documents(client: FlaskClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    assert response.get_json() == openapi_document()


@pytest.mark.parametrize("path", ["/health", "/ready", "/metrics", "/openapi.json"])
def test_operations_answers_are_valid_against_the_document(client: FlaskClient, path: str) -> None:
    check_against_document(path, "get", client.get(path))


@pytest.mark.parametrize("succeeded", [True, False])
async def test_payment_answers_are_valid_against_the_document(
    client: FlaskClient, ledger: TableLedger, succeeded: bool
) -> None:
    payment = await published_payment(ledger, succeeded=succeeded)

    for order_id in (payment.order_id, "ord_missing", "x" * 129):
        answer = await asyncio.to_thread(client.get, f"/payments/{order_id}")
        check_against_document("/payments/{order_id}", "get", answer)


async def test_refund_answers_are_valid_against_the_document(
    client: FlaskClient, ledger: TableLedger, settings: Settings
) -> None:
    paid = await published_payment(ledger)
    failed = await published_payment(ledger, succeeded=False)
    admin = {"Authorization": f"Bearer {admin_token(settings)}"}
    reader = {"Authorization": f"Bearer {admin_token(settings, roles=['Payments.Reader'])}"}

    def refund(order_id: str, headers: dict[str, Any]) -> TestResponse:
        return client.post(f"/payments/{order_id}/refund", headers=headers)

    answers = [
        await asyncio.to_thread(refund, paid.order_id, admin),
        await asyncio.to_thread(refund, paid.order_id, admin),
        await asyncio.to_thread(refund, failed.order_id, admin),
        await asyncio.to_thread(refund, "ord_missing", admin),
        await asyncio.to_thread(refund, "x" * 129, admin),
        await asyncio.to_thread(refund, paid.order_id, {}),
        await asyncio.to_thread(refund, paid.order_id, {"Authorization": "Bearer not.a.token"}),
        await asyncio.to_thread(refund, paid.order_id, reader),
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 409, 404, 400, 401, 401, 403]
    for answer in answers:
        check_against_document("/payments/{order_id}/refund", "post", answer)
