"""The OpenAPI document describes what the service answers (regressions found by the schemathesis runs in
contract-tests/schemathesis), and links what a response created to what can be done with it next."""

from __future__ import annotations

from typing import Any

JSON_BODY_OPERATIONS = [
    ("/products", "post"),
    ("/products/{product_id}", "put"),
    ("/products/{product_id}", "patch"),
    ("/reservations", "post"),
]


async def document(api: Any) -> dict[str, Any]:
    response = await api.http.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_image_answer_documents_every_type_an_image_is_stored_as(api):
    # schemathesis: a GIF image answered image/gif where only image/png was documented.
    paths = (await document(api))["paths"]

    uploadable = set(paths["/products/{product_id}/image"]["put"]["requestBody"]["content"])
    served = set(paths["/products/{product_id}/image"]["get"]["responses"]["200"]["content"])

    assert uploadable == {"image/png", "image/jpeg", "image/webp", "image/gif"}
    assert served == uploadable


async def test_operations_reading_json_document_the_malformed_body_refusal(api):
    # schemathesis: a body that is not JSON gets 400, undocumented on these operations.
    paths = (await document(api))["paths"]

    for path, method in JSON_BODY_OPERATIONS:
        refusal = paths[path][method]["responses"].get("400")
        assert refusal is not None, f"{method.upper()} {path}"
        assert "application/problem+json" in refusal["content"]


async def test_created_product_and_reservation_link_to_their_operations(api):
    doc = await document(api)

    def linked(path: str, method: str, status: str) -> dict[str, tuple[str, str, dict[str, str]]]:
        found = {}
        for name, link in doc["paths"][path][method]["responses"][status]["links"].items():
            pointer = link["operationRef"].removeprefix("#/paths/")
            target_path, target_method = pointer.rsplit("/", 1)
            target_path = target_path.replace("~1", "/").replace("~0", "~")
            assert target_method in doc["paths"][target_path], name
            found[name] = (target_method, target_path, link["parameters"])
        return found

    created = linked("/products", "post", "201")
    reserved = linked("/reservations", "post", "201")

    assert created["GetProduct"] == ("get", "/products/{product_id}", {"product_id": "$response.body#/id"})
    assert {method for method, path, _ in created.values() if path == "/products/{product_id}"} == {
        "get",
        "put",
        "patch",
        "delete",
    }
    assert {path for _, path, _ in reserved.values()} == {
        "/reservations/{order_id}",
        "/reservations/{order_id}/confirm",
        "/reservations/{order_id}/release",
    }
    assert {str(parameters) for _, _, parameters in reserved.values()} == {
        str({"order_id": "$response.body#/orderId"})
    }


async def test_patch_body_takes_no_null_as_documented(api):
    # schemathesis (positive_data_acceptance, exploratory run): the document let every PATCH field be
    # null, which the API refuses (leave a field out to keep it).
    schemas = (await document(api))["components"]["schemas"]
    patch = schemas["ProductPatch"]

    for name, prop in patch["properties"].items():
        assert "null" not in str(prop), name
        assert "default" not in prop, name
    product = await api.create_product(id="nulls")
    refused = await api.http.patch("/products/nulls", json={"name": None}, headers=api.admin)
    assert refused.status_code == 422
    assert product["name"] == (await api.http.get("/products/nulls")).json()["name"]


async def test_reservation_line_documents_its_price_as_optional_decimal_string(api):
    # Reservations stored before lines carried prices are answered without them.
    line = (await document(api))["components"]["schemas"]["ReservationLinePublic"]

    assert sorted(line["required"]) == ["productId", "quantity"]
    assert line["properties"]["unitPrice"]["type"] == "string"
    assert line["properties"]["unitPrice"]["pattern"]
    assert line["properties"]["currency"]["type"] == "string"
    assert "Absent" in line["properties"]["unitPrice"]["description"]
