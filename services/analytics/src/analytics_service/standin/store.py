"""Datasets, tables and rows as the push-dataset API keeps them (basicFIFO: the newest 200,000 rows)."""

from __future__ import annotations

import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FIFO_ROWS = 200_000
TYPES = {"String", "Int64", "Double", "Boolean", "DateTime"}


class RequestError(ValueError):
    """400 InvalidRequest."""


class NotFoundError(LookupError):
    pass


@dataclass
class Table:
    name: str
    columns: dict[str, str]
    rows: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=FIFO_ROWS))


@dataclass
class Dataset:
    id: str
    name: str
    retention: str
    tables: dict[str, Table]


def _check_value(column: str, kind: str, value: Any) -> None:
    if value is None:
        return
    ok = {
        "String": isinstance(value, str),
        "Int64": isinstance(value, int) and not isinstance(value, bool),
        "Double": isinstance(value, int | float) and not isinstance(value, bool),
        "Boolean": isinstance(value, bool),
        "DateTime": isinstance(value, str),
    }[kind]
    if kind == "DateTime" and ok:
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            ok = False
    if not ok:
        raise RequestError(f"column {column!r}: {value!r} is not a {kind}")


class PushStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.datasets: dict[str, Dataset] = {}

    def create(self, body: Any, retention: str) -> Dataset:
        if not isinstance(body, dict) or not body.get("name") or not body.get("tables"):
            raise RequestError("a dataset needs a name and tables")
        if body.get("defaultMode", "Push") not in ("Push", "Streaming", "PushStreaming"):
            raise RequestError(f"defaultMode {body.get('defaultMode')!r} is not a push mode")
        tables: dict[str, Table] = {}
        for table in body["tables"]:
            columns = {c["name"]: c["dataType"] for c in table.get("columns", [])}
            unknown = sorted(t for t in columns.values() if t not in TYPES)
            if not columns or unknown:
                raise RequestError(
                    f"table {table.get('name')!r}: columns missing or of unknown type {unknown}"
                )
            tables[table["name"]] = Table(table["name"], columns)
        dataset = Dataset(str(uuid.uuid4()), str(body["name"]), retention, tables)
        with self._lock:
            self.datasets[dataset.id] = dataset
        return dataset

    def table(self, dataset_id: str, table: str) -> Table:
        dataset = self.datasets.get(dataset_id)
        if dataset is None or table not in dataset.tables:
            raise NotFoundError(f"no table {table!r} in dataset {dataset_id!r}")
        return dataset.tables[table]

    def add_rows(self, dataset_id: str, table_name: str, body: Any) -> int:
        table = self.table(dataset_id, table_name)
        rows = body.get("rows") if isinstance(body, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise RequestError('the body is {"rows": [objects]}')
        if len(rows) > 10_000:
            raise RequestError("at most 10,000 rows per request")
        for row in rows:
            for column, value in row.items():
                if column not in table.columns:
                    raise RequestError(f"column {column!r} is not in table {table_name!r}")
                _check_value(column, table.columns[column], value)
        with self._lock:
            table.rows.extend(rows)
        return len(rows)

    def clear(self, dataset_id: str, table_name: str) -> None:
        with self._lock:
            self.table(dataset_id, table_name).rows.clear()
