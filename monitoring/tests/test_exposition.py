"""The per-component exposition checks bite: each breach of the conventions is named, with the component."""

from __future__ import annotations

import pytest
from shopmonitoring.conventions import load_catalogue
from shopmonitoring.exposition import MAX_VALUES_PER_LABEL, expected_metrics, problems

CATALOGUE = load_catalogue()

BROKER = """# TYPE servicebus_active_messages gauge
servicebus_active_messages{entity="payment-requests"} 0
# TYPE servicebus_dead_lettered_messages gauge
servicebus_dead_lettered_messages{entity="payment-requests"} 0
# TYPE servicebus_scheduled_messages gauge
servicebus_scheduled_messages{entity="payment-requests"} 0
# TYPE servicebus_locked_messages gauge
servicebus_locked_messages{entity="payment-requests"} 0
# TYPE servicebus_connections gauge
servicebus_connections 2
"""


def test_a_conforming_exposition_has_no_problems() -> None:
    assert problems("servicebus", BROKER, CATALOGUE) == []


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (
            '# TYPE servicebus_sent_messages counter\nservicebus_sent_messages{entity="q"} 1\n',
            "servicebus: counter servicebus_sent_messages does not end in _total",
        ),
        (
            '# TYPE servicebus_receive_ms histogram\nservicebus_receive_ms_bucket{le="+Inf"} 1\n'
            "servicebus_receive_ms_count 1\nservicebus_receive_ms_sum 1\n",
            "servicebus: histogram servicebus_receive_ms is not in seconds (name ends in _seconds)",
        ),
        (
            "# TYPE servicebus_messages_total gauge\nservicebus_messages_total 3\n",
            "servicebus: gauge servicebus_messages_total is named like a counter (_total)",
        ),
        (
            '# TYPE servicebus_lock_renewals_total counter\nservicebus_lock_renewals_total{message_id="'
            '6f1c1f0e-3a57-4b8e-9a54-0d8f1ad2b7c1"} 1\n',
            "servicebus: servicebus_lock_renewals_total label "
            "message_id='6f1c1f0e-3a57-4b8e-9a54-0d8f1ad2b7c1' is a UUID",
        ),
        (
            'servicebus_connections{peer="ord_8f3a9c2d"} 1\n',
            "servicebus: servicebus_connections has labels ['peer'], the conventions say []",
        ),
    ],
    ids=["counter-without-total", "histogram-in-ms", "gauge-named-total", "id-label", "undeclared-label"],
)
def test_each_breach_is_named(extra: str, named: str) -> None:
    assert named in problems("servicebus", BROKER + extra, CATALOGUE)


def test_a_label_with_too_many_values_is_suspected_unbounded() -> None:
    many = "".join(
        f'servicebus_active_messages{{entity="q{n}"}} 0\n' for n in range(MAX_VALUES_PER_LABEL + 1)
    )
    text = BROKER.replace('servicebus_active_messages{entity="payment-requests"} 0\n', many)

    values = MAX_VALUES_PER_LABEL + 1
    assert problems("servicebus", text, CATALOGUE) == [
        f"servicebus: servicebus_active_messages label entity has {values} values: unbounded?"
    ]


def test_a_missing_conventions_metric_is_named() -> None:
    text = BROKER.replace("# TYPE servicebus_connections gauge\nservicebus_connections 2\n", "")

    assert problems("servicebus", text, CATALOGUE) == [
        "servicebus: does not export servicebus_connections (docs/conventions.md)"
    ]


def test_every_service_owes_the_red_metrics_and_its_own() -> None:
    assert expected_metrics("payment", CATALOGUE) == {"http_requests_total", "http_request_duration_seconds"}
    assert {
        "order_saga_duration_seconds",
        "order_outbox_lag_seconds",
        "http_requests_total",
    } <= expected_metrics("order", CATALOGUE)
    assert "http_requests_total" not in expected_metrics("eventhubs", CATALOGUE)
