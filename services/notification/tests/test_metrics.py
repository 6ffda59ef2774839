"""The consumer's position metrics (docs/conventions.md): per partition, the last handled sequence number
(`notification_last_sequence_number`) and how long that event waited in the hub
(`notification_event_lag_seconds`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notification_service.metrics import Metrics
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def samples(metrics: Metrics) -> dict[tuple[str, str], float]:
    text = generate_latest(metrics.registry).decode()
    return {
        (sample.name, sample.labels["partition"]): sample.value
        for family in text_string_to_metric_families(text)
        if family.name in ("notification_event_lag_seconds", "notification_last_sequence_number")
        for sample in family.samples
    }


def test_observe_position_sets_the_partitions_lag_and_sequence_number() -> None:
    metrics = Metrics()

    metrics.observe_position("3", 41, NOW - timedelta(seconds=7.5), NOW)
    metrics.observe_position("0", 2, NOW - timedelta(seconds=1), NOW)
    metrics.observe_position("3", 42, NOW - timedelta(seconds=2), NOW)

    assert samples(metrics) == {
        ("notification_event_lag_seconds", "3"): 2.0,
        ("notification_last_sequence_number", "3"): 42,
        ("notification_event_lag_seconds", "0"): 1.0,
        ("notification_last_sequence_number", "0"): 2,
    }


def test_observe_position_without_an_enqueued_time_moves_only_the_sequence_number() -> None:
    metrics = Metrics()
    metrics.observe_position("1", 5, NOW - timedelta(seconds=30), NOW)

    metrics.observe_position("1", 6, None, NOW)

    assert samples(metrics) == {
        ("notification_event_lag_seconds", "1"): 30.0,
        ("notification_last_sequence_number", "1"): 6,
    }


def test_a_clock_behind_the_hubs_never_reports_a_negative_lag() -> None:
    metrics = Metrics()

    metrics.observe_position("2", 0, NOW + timedelta(seconds=3), NOW)

    assert samples(metrics)[("notification_event_lag_seconds", "2")] == 0.0
