"""Event → row, malformed events refused with their reason, and the row's columns are the dashboard's."""

from __future__ import annotations

import json
import re

import pytest
from analytics_service.dataset import COLUMNS, TABLE
from analytics_service.rows import RowMapper
from servicekit.contracts import Contracts
from servicekit.envelopes import PoisonError, PoisonReason

from .conftest import CONTRACTS, REPO, status_changed

PROPERTIES = {"type": "OrderStatusChanged", "version": "1"}


@pytest.fixture(scope="module")
def mapper() -> RowMapper:
    return RowMapper(Contracts(CONTRACTS))


def test_row_carries_the_status_change_and_only_the_email_domain(mapper: RowMapper) -> None:
    event = status_changed("PAID")
    row = mapper.row(json.dumps(event).encode(), PROPERTIES)
    assert row["EventId"] == event["id"]
    assert row["OrderId"] == event["data"]["orderId"]
    assert row["Status"] == "PAID"
    assert row["CustomerDomain"] == "example.com"
    assert row["TotalValue"] == float(event["data"]["total"]["value"])
    assert set(row) == {name for name, _ in COLUMNS}
    assert "@" not in json.dumps(row)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", PoisonReason.MALFORMED_BODY),
        (None, PoisonReason.MALFORMED_BODY),
        (
            json.dumps({"type": "OrderStatusChanged", "version": 1, "data": {}}).encode(),
            PoisonReason.SCHEMA_VIOLATION,
        ),
        (
            json.dumps({**status_changed(), "type": "OrderCreated"}).encode(),
            PoisonReason.UNKNOWN_MESSAGE_TYPE,
        ),
    ],
)
def test_malformed_events_are_refused_with_their_reason(
    mapper: RowMapper, body: bytes | None, reason: str
) -> None:
    properties = {} if b"OrderCreated" in (body or b"") else PROPERTIES
    with pytest.raises(PoisonError) as refused:
        mapper.row(body, properties)
    assert refused.value.reason == reason


def test_columns_are_the_operations_semantic_model_and_the_fabric_table() -> None:
    tmdl = (
        REPO / f"power-platform/powerbi/OperationsRealtime.SemanticModel/definition/tables/{TABLE}.tmdl"
    ).read_text()
    kql = (REPO / "power-platform/fabric/ShopOperations.KQLDatabase/DatabaseSchema.kql").read_text()
    names = [name for name, _ in COLUMNS]
    assert sorted(re.findall(r"^\tcolumn (\w+)$", tmdl, re.MULTILINE)) == sorted(names)
    kql_columns = re.search(rf"\.create-merge table {TABLE} \(([^)]*)\)", kql)
    assert kql_columns is not None
    assert [c.split(":")[0].strip() for c in kql_columns[1].split(",")] == names
