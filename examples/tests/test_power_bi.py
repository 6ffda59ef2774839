"""examples/power-bi/streaming-dataset.json: accepted by the push-dataset REST stand-in the analytics service
pushes to locally (services/analytics, analytics_service.standin: a real HTTP server here, on a free port),
which answers as Power BI does to a definition (dataset, tables, typed columns) and to rows; and in step
with the analytics service's dataset definition and the OperationsRealtime semantic model (table, columns
and types, measures). power-platform/ has no validator of push-dataset definitions yet."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from analytics_service.standin.server import PushStandin
from examples_testing import DATASET, broken_copy, dataset_drift

# The API's path under the stand-in, as in the analytics service's ANALYTICS_POWERBI_URL.
API = "/v1.0/myorg"
ROW = {
    "EventId": "0b7c4f1e-5a3b-4f7e-9a51-2f6b8e0c9d11",
    "OrderId": "ord-1001",
    "Status": "PAID",
    "PreviousStatus": "PENDING_PAYMENT",
    "TotalValue": 42.5,
    "Currency": "EUR",
    "OccurredAt": "2026-12-06T13:49:09.123Z",
    "CustomerDomain": "example.com",
}


@pytest.fixture(scope="module")
def push_api() -> Iterator[httpx.Client]:
    server = PushStandin(("127.0.0.1", 0))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{server.server_port}") as client:
            yield client
    finally:
        server.shutdown()
        server.server_close()


def _create(client: httpx.Client, path: Path) -> httpx.Response:
    return client.post(
        f"{API}/datasets",
        params={"defaultRetentionPolicy": "basicFIFO"},
        json=json.loads(path.read_text(encoding="utf-8")),
    )


def test_the_push_api_accepts_the_example_and_an_order_event_row(push_api: httpx.Client) -> None:
    created = _create(push_api, DATASET)
    assert created.status_code == 201, created.text
    dataset_id = created.json()["id"]
    added = push_api.post(f"{API}/datasets/{dataset_id}/tables/OrderEvents/rows", json={"rows": [ROW]})
    assert added.status_code == 200, added.text


def test_the_push_api_refuses_a_copy_with_an_unknown_column_type(
    push_api: httpx.Client, tmp_path: Path
) -> None:
    copy = broken_copy(DATASET, tmp_path, '"dataType": "Double"', '"dataType": "Currency"')
    refused = _create(push_api, copy)
    assert refused.status_code == 400, f"{copy}: {refused.status_code} {refused.text}"
    assert "OrderEvents" in refused.json()["error"]["message"]
    assert "Currency" in refused.json()["error"]["message"]


def test_example_is_in_step_with_the_analytics_dataset_and_the_operations_model() -> None:
    assert dataset_drift(DATASET) == []


def test_in_step_fails_when_a_column_is_renamed(tmp_path: Path) -> None:
    copy = broken_copy(DATASET, tmp_path, '"name": "OccurredAt"', '"name": "Timestamp"')
    problems = dataset_drift(copy)
    assert any(p.startswith(f"{copy}: columns") and "Timestamp" in p for p in problems), problems


def test_in_step_fails_when_a_column_type_differs(tmp_path: Path) -> None:
    copy = broken_copy(DATASET, tmp_path, '"dataType": "Double"', '"dataType": "Int64"')
    problems = dataset_drift(copy)
    assert any(p.startswith(f"{copy}: columns") and "'Int64'" in p for p in problems), problems


def test_in_step_fails_when_a_measure_differs_from_the_model(tmp_path: Path) -> None:
    copy = broken_copy(
        DATASET, tmp_path, 'OrderEvents[Status] = \\"PAID\\"', 'OrderEvents[Status] = \\"SHIPPED\\"'
    )
    problems = dataset_drift(copy)
    assert f"{copy}: measure 'Paid Revenue' differs from the OperationsRealtime model's" in problems
