"""Health, readiness, metrics, trace context, CORS and the OpenAPI document."""

from __future__ import annotations

import re


async def test_health_is_ok_with_no_checks(api):
    response = await api.http.get("/health")

    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {}}


async def test_ready_reports_both_dependencies(api):
    response = await api.http.get("/ready")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"cosmosDb": {"status": "ok"}, "blobStorage": {"status": "ok"}},
    }


async def test_metrics_count_requests_by_route_template_and_cosmos_charge(api):
    await api.create_product(id="a")
    await api.http.get("/products/a")
    await api.http.get("/products/missing")
    await api.http.get("/no/such/path")
    await api.http.get("/health")

    text = (await api.http.get("/metrics")).text

    assert 'http_requests_total{method="GET",route="/products/{product_id}",status="200"} 1.0' in text
    assert 'http_requests_total{method="GET",route="/products/{product_id}",status="404"} 1.0' in text
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert 'http_requests_total{method="GET",route="/health",status="200"} 1.0' in text
    assert (
        'http_request_duration_seconds_bucket{le="10.0",method="GET",route="/products/{product_id}",status="200"}'
        in text
    )
    assert re.search(r'product_cosmos_request_units_total\{operation="read"\} [1-9]', text)
    assert 'product_cosmos_request_duration_seconds_count{operation="create",status="201"}' in text


async def test_incoming_traceparent_keeps_trace_id_with_new_span(api):
    incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    response = await api.http.get("/health", headers={"traceparent": incoming})

    version, trace_id, span_id, flags = response.headers["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", "4bf92f3577b34da6a3ce929d0e0e4736", "01")
    assert span_id != "00f067aa0ba902b7"


async def test_invalid_traceparent_starts_a_new_trace(api):
    response = await api.http.get("/health", headers={"traceparent": "garbage"})

    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", response.headers["traceparent"])


async def test_cors_allows_configured_origin_and_exposes_etag(api):
    response = await api.http.options(
        "/products",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "PUT"},
    )
    simple = await api.http.get("/products", headers={"Origin": "http://localhost:5173"})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "ETag" in simple.headers["access-control-expose-headers"]


async def test_cors_refuses_other_origins(api):
    response = await api.http.get("/products", headers={"Origin": "http://evil.example"})

    assert "access-control-allow-origin" not in response.headers


async def test_openapi_documents_examples_and_problem_responses(api):
    document = (await api.http.get("/openapi.json")).json()

    create = document["paths"]["/products"]["post"]
    assert "examples" in document["components"]["schemas"]["ProductCreate"]
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert document["components"]["schemas"]["ProductCreate"]["properties"]["price"]["type"] == "string"
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


async def test_ready_is_503_naming_the_dependency_that_fails(api):
    await api.app.state.runtime.clients.blob_service.close()

    response = await api.http.get("/ready")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["cosmosDb"] == {"status": "ok"}
    assert response.json()["checks"]["blobStorage"]["status"] == "unavailable"
    assert response.json()["checks"]["blobStorage"]["error"]


async def test_unexpected_failure_is_500_problem_with_trace_id(api):
    await api.app.state.runtime.clients.cosmos.close()
    incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    response = await api.http.get("/products/any", headers={"traceparent": incoming})

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    # pragma: allowlist nextline secret (the W3C trace-context example trace id)
    assert response.json()["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert response.headers["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
