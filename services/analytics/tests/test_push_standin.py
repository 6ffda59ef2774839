"""The push-dataset stand-in answers the subset of the Power BI REST API the consumer uses, refuses what
Power BI refuses, and shows the rows."""

from __future__ import annotations

import httpx
from analytics_service.dataset import TABLE, dataset_definition

BASE = "/v1.0/myorg"


def create(url: str, name: str) -> str:
    response = httpx.post(
        f"{url}{BASE}/datasets", params={"defaultRetentionPolicy": "basicFIFO"}, json=dataset_definition(name)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_rows_pushed_are_listed_and_shown(push_standin: str) -> None:
    dataset = create(push_standin, "stand-in rows")
    row = {
        "EventId": "e1",
        "OrderId": "ord_1",
        "Status": "PAID",
        "TotalValue": 12.5,
        "OccurredAt": "2026-12-06T10:00:00Z",
    }
    assert (
        httpx.post(
            f"{push_standin}{BASE}/datasets/{dataset}/tables/{TABLE}/rows", json={"rows": [row]}
        ).status_code
        == 200
    )
    listed = httpx.get(f"{push_standin}{BASE}/datasets").json()["value"]
    assert {
        "id": dataset,
        "name": "stand-in rows",
        "addRowsAPIEnabled": True,
        "defaultRetentionPolicy": "basicFIFO",
    } in listed
    assert httpx.get(
        f"{push_standin}/standin/rows", params={"dataset": "stand-in rows", "table": TABLE}
    ).json()["rows"] == [row]
    page = httpx.get(f"{push_standin}/").text
    assert "local stand-in" in page
    assert "ord_1" in page


def test_unknown_column_and_wrong_type_are_400(push_standin: str) -> None:
    dataset = create(push_standin, "stand-in refusals")
    rows_url = f"{push_standin}{BASE}/datasets/{dataset}/tables/{TABLE}/rows"
    unknown = httpx.post(rows_url, json={"rows": [{"Email": "a@b.c"}]})
    assert unknown.status_code == 400
    assert "'Email' is not in table" in unknown.json()["error"]["message"]
    wrong = httpx.post(rows_url, json={"rows": [{"TotalValue": "twelve"}]})
    assert wrong.status_code == 400
    assert "is not a Double" in wrong.json()["error"]["message"]
    assert httpx.post(rows_url, json={"values": []}).status_code == 400


def test_unknown_dataset_or_table_is_404(push_standin: str) -> None:
    dataset = create(push_standin, "stand-in 404")
    assert (
        httpx.post(f"{push_standin}{BASE}/datasets/nope/tables/{TABLE}/rows", json={"rows": []}).status_code
        == 404
    )
    assert (
        httpx.post(
            f"{push_standin}{BASE}/datasets/{dataset}/tables/Other/rows", json={"rows": []}
        ).status_code
        == 404
    )


def test_a_dataset_without_tables_is_refused(push_standin: str) -> None:
    response = httpx.post(f"{push_standin}{BASE}/datasets", json={"name": "empty", "tables": []})
    assert response.status_code == 400


def test_a_refused_request_leaves_the_connection_usable(push_standin: str) -> None:
    with httpx.Client(base_url=push_standin) as client:  # one kept-alive connection
        assert (
            client.post(f"{BASE}/datasets/nope/tables/{TABLE}/rows", json={"rows": [{"a": 1}]}).status_code
            == 404
        )
        assert client.post("/unknown", json={"rows": []}).status_code == 404
        assert client.get("/health").json() == {"status": "ok"}
