"""The custom connector is what the generator makes from the services' current OpenAPI documents:
regenerating changes nothing, and a stale or hand-edited file is named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from shoppower.connector.generate import PACKAGE, ConnectorFiles, generate
from shoppower.connector.service_documents import service_documents


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    if shutil.which("node") is None:
        pytest.fail("node is needed to read the order service's OpenAPI document")
    return service_documents()


@pytest.fixture(scope="module")
def generated(documents: dict[str, dict[str, Any]]) -> ConnectorFiles:
    return generate(documents)


def test_regenerating_changes_nothing(generated: ConnectorFiles) -> None:
    assert generated.differences() == []


def test_every_listed_operation_comes_from_its_service(
    generated: ConnectorFiles, documents: dict[str, dict[str, Any]]
) -> None:
    definition = json.loads(generated.files["connector/paconn/apiDefinition.swagger.json"])
    assert set(definition["info"]["x-contoso-generated-from"]) == {"product", "order", "payment"}
    get_order = definition["paths"]["/orders/{id}"]["get"]
    assert get_order["operationId"] == "GetOrder"
    assert get_order["responses"]["200"]["schema"] == {"$ref": "#/definitions/OrderOrder"}
    assert "Order" in documents["order"]["components"]["schemas"]


def test_a_stale_file_is_named(generated: ConnectorFiles, tmp_path: Path) -> None:
    shutil.copytree(PACKAGE / "connector", tmp_path / "connector")
    shutil.copytree(PACKAGE / "solutions", tmp_path / "solutions")
    stale = tmp_path / "connector/paconn/apiDefinition.swagger.json"
    stale.write_text(stale.read_text().replace('"ListOrders"', '"ListAllOrders"'))
    (
        tmp_path / "solutions/ContosoShopCore/src/Connectors/csh_contoso-shop-api_connectionparameters.json"
    ).unlink()
    assert generated.differences(tmp_path) == [
        "connector/paconn/apiDefinition.swagger.json",
        "solutions/ContosoShopCore/src/Connectors/csh_contoso-shop-api_connectionparameters.json",
    ]


def test_a_changed_service_document_changes_the_connector(documents: dict[str, dict[str, Any]]) -> None:
    changed = json.loads(json.dumps(documents))
    changed["payment"]["paths"]["/payments/{order_id}"]["get"]["summary"] = "Payment of an order"
    changed["payment"]["paths"]["/payments/{order_id}"]["get"]["description"] = "Now documented differently"
    assert generate(changed).differences() == [
        "connector/paconn/apiDefinition.swagger.json",
        "solutions/ContosoShopCore/src/Connectors/csh_contoso-shop-api_openapidefinition.json",
    ]
