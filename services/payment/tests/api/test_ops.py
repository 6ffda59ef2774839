"""/health, /ready and /metrics of the API."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_health_answers_without_touching_dependencies(client: FlaskClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.get_json() == {"status": "healthy"}


def test_ready_when_table_storage_and_service_bus_answer(client: FlaskClient) -> None:
    response = client.get("/ready")

    assert response.status_code == 200
    assert response.get_json()["checks"] == {"tableStorage": "ok", "serviceBus": "ok"}


def test_metrics_count_requests_by_route(client: FlaskClient) -> None:
    client.get("/payments/ord_missing")

    text = client.get("/metrics").get_data(as_text=True)

    assert 'payment_http_requests_total{method="GET",route="/payments/<order_id>",status="404"} 1.0' in text


def test_unknown_route_is_problem_json(client: FlaskClient) -> None:
    response = client.get("/nope")

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
