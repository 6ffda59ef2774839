"""Bad input gets application/problem+json naming what is wrong, and nothing is written."""

from __future__ import annotations


async def test_malformed_json_is_400_problem(api):
    response = await api.http.post(
        "/products", content=b'{"name": "x",', headers={**api.admin, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Malformed JSON"


async def test_wrong_type_names_the_field(api):
    response = await api.http.post("/products", json=api.product_body(stock="ten"), headers=api.admin)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["in"], e["field"], e["pointer"]) for e in errors] == [("body", "stock", "/stock")]


async def test_numeric_string_is_not_coerced_to_int(api):
    response = await api.http.post("/products", json=api.product_body(stock="10"), headers=api.admin)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stock"


async def test_float_price_is_refused(api):
    response = await api.http.post("/products", json=api.product_body(price=12.5), headers=api.admin)

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "price"
    assert "decimal string" in error["message"]


async def test_price_with_three_decimals_is_refused(api):
    response = await api.http.post("/products", json=api.product_body(price="1.005"), headers=api.admin)

    assert response.status_code == 422


async def test_unknown_field_is_refused_by_name(api):
    response = await api.http.post("/products", json=api.product_body(colour="red"), headers=api.admin)

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "colour"
    assert error["type"] == "extra_forbidden"


async def test_nested_validation_error_names_the_path(api):
    response = await api.http.post(
        "/reservations",
        json={"orderId": "o-1", "items": [{"productId": "a", "quantity": 1}, {"productId": "b"}]},
    )

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "items[1].quantity"
    assert error["pointer"] == "/items/1/quantity"


async def test_oversized_body_is_413_problem_and_nothing_is_written(api):
    huge = api.product_body(id="big", description="x" * (api.settings.max_json_body_bytes + 10))

    response = await api.http.post("/products", json=huge, headers=api.admin)

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert (await api.http.get("/products/big")).status_code == 404


async def test_oversized_streamed_body_without_length_is_413(api):
    limit = api.settings.max_json_body_bytes

    async def chunks():
        yield b'{"name": "'
        for _ in range(limit // 1024 + 2):
            yield b"y" * 1024
        yield b'"}'

    response = await api.http.post("/products", content=chunks(), headers=api.admin)

    assert response.status_code == 413
    assert response.json()["title"] == "Payload too large"


async def test_unknown_route_is_404_problem(api):
    response = await api.http.get("/nowhere")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_wrong_method_is_405_problem(api):
    response = await api.http.delete("/categories")

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


async def test_problem_carries_trace_id_of_the_request(api):
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"

    response = await api.http.get(
        "/products/none", headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"}
    )

    assert response.json()["traceId"] == trace_id


async def test_body_that_is_not_utf8_is_400_malformed_json(api):
    # schemathesis: FastAPI's own 400 ("There was an error parsing the body") left as about:blank.
    response = await api.http.post(
        "/products", content=b"\x1d\x02# \xff\xfe", headers={**api.admin, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/malformed-json")
