"""The push dataset's shape: one table, OrderEvents, the same columns as the OperationsRealtime semantic
model (power-platform/powerbi) and the Fabric KQL table that succeeds it."""

from __future__ import annotations

from typing import Any

TABLE = "OrderEvents"
# Power BI push-dataset column types: String, Int64, Double, Boolean, DateTime.
COLUMNS: list[tuple[str, str]] = [
    ("EventId", "String"),
    ("OrderId", "String"),
    ("Status", "String"),
    ("PreviousStatus", "String"),
    ("TotalValue", "Double"),
    ("Currency", "String"),
    ("OccurredAt", "DateTime"),
    ("CustomerDomain", "String"),
]


def dataset_definition(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "defaultMode": "Push",
        "tables": [{"name": TABLE, "columns": [{"name": n, "dataType": t} for n, t in COLUMNS]}],
    }
