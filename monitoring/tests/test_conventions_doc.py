"""The metric table of docs/conventions.md, read as the catalogue: its rows, and a malformed row named by
file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from shopmonitoring.conventions import CONVENTIONS, ConventionsError, known_series, load_catalogue

SAGA_AND_BROKER = {
    "order_orders_by_status",
    "order_outbox_lag_seconds",
    "order_saga_duration_seconds",
    "payment_outcomes_total",
    "notification_event_lag_seconds",
    "servicebus_active_messages",
    "servicebus_dead_lettered_messages",
    "eventhubs_partition_events",
}


def test_the_table_lists_the_red_saga_and_emulator_metrics() -> None:
    catalogue = load_catalogue()

    assert {"http_requests_total", "http_request_duration_seconds"} <= set(catalogue)
    assert set(catalogue) >= SAGA_AND_BROKER
    assert catalogue["http_request_duration_seconds"].labels == ("method", "route", "status")
    assert catalogue["notification_event_lag_seconds"].labels == ("partition",)


def test_known_series_include_histogram_series_and_up() -> None:
    known = known_series(load_catalogue())

    assert {"order_saga_duration_seconds_bucket", "order_saga_duration_seconds_count", "up"} <= known
    assert "order_saga_duration_seconds" not in known  # a histogram has no series of its bare name


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = CONVENTIONS.read_text()
    assert text.count(old) == 1
    path = tmp_path / "conventions.md"
    path.write_text(text.replace(old, new))
    return path


def line_of(path: Path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("| `order_created_total` | counter |", "| `order_created` | counter |", "does not end in _total"),
        (
            "| `payment_processing_seconds` | histogram |",
            "| `payment_processing_ms` | histogram |",
            "is not in seconds",
        ),
        ("| `servicebus_connections` | gauge |", "| `servicebus_connections` | meter |", "type 'meter'"),
    ],
)
def test_a_malformed_row_fails_naming_the_file_line_and_metric(
    tmp_path: Path, old: str, new: str, reason: str
) -> None:
    path = broken_copy(tmp_path, old, new)

    with pytest.raises(ConventionsError) as refused:
        load_catalogue(path)

    assert f"{path}:{line_of(path, new)}:" in str(refused.value)
    assert reason in str(refused.value)


def test_a_document_without_the_table_is_refused(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "### The metrics dashboards and alerts read", "### Metrics")

    with pytest.raises(ConventionsError, match="no section"):
        load_catalogue(path)
