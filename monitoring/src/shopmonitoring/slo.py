"""The one source of the platform's recording rules and alerts.

`rules.py` renders it as a plain Prometheus rules file (local Prometheus, promtool), as a PrometheusRule
object (the operator on kind) and as Azure Monitor managed Prometheus rule groups (Bicep). Nothing else
writes a rule.

SLO alerts are multi-window, multi-burn-rate (the Google SRE workbook, chapter 5): an alert fires when the
error budget burns fast over a long window *and* is still burning over a short one (so it resets soon after
the problem stops). Per SLO: ``<Name>ErrorBudgetBurnFast`` pages (14.4x over 1h and 5m, or 6x over 6h and
30m: 2 % or 5 % of a 30-day budget gone), ``<Name>ErrorBudgetBurnSlow`` opens a ticket (3x over 1d and 2h,
or 1x over 3d and 6h).
"""

from __future__ import annotations

from dataclasses import dataclass, field

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


@dataclass(frozen=True)
class BurnWindow:
    long: str
    short: str
    factor: float


FAST = (BurnWindow("1h", "5m", 14.4), BurnWindow("6h", "30m", 6))
SLOW = (BurnWindow("1d", "2h", 3), BurnWindow("3d", "6h", 1))


@dataclass(frozen=True)
class Slo:
    """An SLI as a ratio of bad events to all events, with its objective.

    ``bad`` and ``total`` are PromQL over counters with ``$window`` where the range goes.
    """

    name: str  # CamelCase, the alerts' prefix
    slug: str  # the `slo` label of its recording rules
    summary: str
    objective: float  # e.g. 0.995: 99.5 % of events good over 30 days
    bad: str
    total: str

    @property
    def budget(self) -> float:
        return round(1 - self.objective, 6)

    def ratio(self, window: str) -> str:
        return f"(\n{self.bad}\n)\n/\n(\n{self.total}\n)".replace("$window", window)


@dataclass(frozen=True)
class Recording:
    record: str
    expr: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Alert:
    alert: str
    expr: str
    for_: str
    severity: str  # page | ticket
    summary: str
    description: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """Evaluated at the evaluating Prometheus's own interval (5 s locally, the operator's and Azure
    Monitor's 1 minute), so that a developer sees alerts move as fast as the data does."""

    name: str
    rules: tuple[Recording | Alert, ...]


CHECKOUT = 'job="order", method="POST", route="/orders"'

SLOS = (
    Slo(
        name="CheckoutAvailability",
        slug="checkout-availability",
        summary="Checkout (POST /orders) answers 5xx",
        objective=0.995,
        bad=f'sum(rate(http_requests_total{{{CHECKOUT}, status=~"5.."}}[$window]))',
        total=f"sum(rate(http_requests_total{{{CHECKOUT}}}[$window]))",
    ),
    Slo(
        name="CheckoutLatency",
        slug="checkout-latency",
        summary="Checkout (POST /orders) takes longer than 1 s",
        objective=0.99,
        bad=(
            f"sum(rate(http_request_duration_seconds_count{{{CHECKOUT}}}[$window]))\n-\n"
            f'sum(rate(http_request_duration_seconds_bucket{{{CHECKOUT}, le="1"}}[$window]))'
        ),
        total=f"sum(rate(http_request_duration_seconds_count{{{CHECKOUT}}}[$window]))",
    ),
    Slo(
        name="SagaCompletion",
        slug="saga-completion",
        summary="Orders take longer than 60 s from creation to their payment outcome",
        objective=0.99,
        bad=(
            "sum(rate(order_saga_duration_seconds_count[$window]))\n-\n"
            'sum(rate(order_saga_duration_seconds_bucket{le="60"}[$window]))'
        ),
        total="sum(rate(order_saga_duration_seconds_count[$window]))",
    ),
    # Declines are the customers' cards, not a fault of ours: they have their own alert (PaymentDeclinesHigh);
    # the budget is spent by payments the gateway could not decide.
    Slo(
        name="PaymentFailure",
        slug="payment-failure",
        summary="Payments fail because the gateway does not answer",
        objective=0.99,
        bad='sum(rate(payment_outcomes_total{outcome="gateway_unavailable"}[$window]))',
        total="sum(rate(payment_outcomes_total[$window]))",
    ),
)


def _slo_recordings(slo: Slo) -> tuple[Recording, ...]:
    return tuple(
        Recording(f"slo:sli_error:ratio_rate{window}", slo.ratio(window), {"slo": slo.slug})
        for window in WINDOWS
    )


def _burn(slo: Slo, windows: tuple[BurnWindow, ...]) -> str:
    def series(window: str) -> str:
        return f'slo:sli_error:ratio_rate{window}{{slo="{slo.slug}"}}'

    clauses = [
        f"(\n  {series(w.long)} > ({w.factor} * {slo.budget})\n"
        f"and\n  {series(w.short)} > ({w.factor} * {slo.budget})\n)"
        for w in windows
    ]
    return "\nor\n".join(clauses)


def _slo_alerts(slo: Slo) -> tuple[Alert, ...]:
    def text(windows: tuple[BurnWindow, ...]) -> str:
        parts = ", ".join(f"{w.factor}x over {w.long} and {w.short}" for w in windows)
        return (
            f"{slo.summary}: the error budget of the {slo.objective:.1%} objective burns at {parts} "
            "({{ $value | humanizePercentage }} of events bad)."
        )

    return (
        Alert(
            f"{slo.name}ErrorBudgetBurnFast",
            _burn(slo, FAST),
            "2m",
            "page",
            f"{slo.summary}: error budget burning fast",
            text(FAST),
            {"slo": slo.slug},
        ),
        Alert(
            f"{slo.name}ErrorBudgetBurnSlow",
            _burn(slo, SLOW),
            "1h",
            "ticket",
            f"{slo.summary}: error budget burning slowly",
            text(SLOW),
            {"slo": slo.slug},
        ),
    )


RED = Group(
    "shop-red",
    (
        Recording(
            "job_route:http_requests:rate5m",
            "sum by (job, method, route, status) (rate(http_requests_total[5m]))",
        ),
        Recording(
            "job:http_request_errors:ratio_rate5m",
            'sum by (job) (rate(http_requests_total{status=~"5.."}[5m]))\n/\n'
            "sum by (job) (rate(http_requests_total[5m]))",
        ),
        Recording(
            "job_route:http_request_duration_seconds:p95_5m",
            "histogram_quantile(0.95,\n"
            "  sum by (job, route, le) (rate(http_request_duration_seconds_bucket[5m])))",
        ),
    ),
)

SAGA = Group(
    "shop-saga",
    (
        Recording(
            "order:saga_duration_seconds:p95_5m",
            "histogram_quantile(0.95, sum by (le) (rate(order_saga_duration_seconds_bucket[5m])))",
        ),
        Recording(
            "payment:outcomes:rate5m",
            "sum by (outcome) (rate(payment_outcomes_total[5m]))",
        ),
        Alert(
            "PaymentDeclinesHigh",
            'sum(rate(payment_outcomes_total{outcome="failed"}[30m]))\n/\n'
            "sum(rate(payment_outcomes_total[30m]))\n> 0.3",
            "15m",
            "ticket",
            "More than 30 % of payments are declined",
            "{{ $value | humanizePercentage }} of payments over 30 minutes were declined by the gateway: "
            "card testing, or a change at the gateway.",
        ),
        Alert(
            "OutboxLagHigh",
            "max(order_outbox_lag_seconds) > 60",
            "5m",
            "page",
            "Order outbox messages wait more than 60 s to be sent",
            "The oldest unsent outbox row is {{ $value | humanizeDuration }} old: the relay is stuck or "
            "Service Bus / Event Hubs refuse sends.",
        ),
        Alert(
            "DeadLetterQueueGrowing",
            # Growth since the lowest count of the last 10 minutes: exact, and a purge does not fire it.
            "servicebus_dead_lettered_messages - min_over_time(servicebus_dead_lettered_messages[10m]) > 0",
            "0m",
            "ticket",
            "Messages are being dead-lettered on {{ $labels.entity }}",
            "{{ $value }} more messages in {{ $labels.entity }}/$DeadLetterQueue over 10 minutes.",
        ),
        Alert(
            "PaymentRequestsDeadLettered",
            "sum by (reason) (increase(payment_dead_letters_total[10m])) > 0",
            "0m",
            "ticket",
            "The payment worker dead-letters payment requests ({{ $labels.reason }})",
            "{{ $value }} payment requests dead-lettered with reason {{ $labels.reason }} over 10 minutes.",
        ),
        Alert(
            "NotificationConsumerLagging",
            "max by (partition) (notification_event_lag_seconds) > 120",
            "10m",
            "ticket",
            "Notifications lag more than 2 minutes behind order-events (partition {{ $labels.partition }})",
            "The last event handled on partition {{ $labels.partition }} waited "
            "{{ $value | humanizeDuration }} after it was enqueued.",
        ),
        Alert(
            "NotificationConsumerBehind",
            'max by (partition) (eventhubs_partition_last_sequence_number{hub="order-events"})\n'
            "- on (partition)\n"
            "max by (partition) (notification_last_sequence_number)\n"
            "> 100",
            "10m",
            "ticket",
            "The notification consumer is more than 100 events behind on partition {{ $labels.partition }}",
            "{{ $value }} order-events on partition {{ $labels.partition }} are not handled yet.",
        ),
    ),
)

TARGETS = Group(
    "shop-targets",
    (
        Alert(
            "TargetDown",
            "up == 0",
            "1m",
            "page",
            "{{ $labels.job }} ({{ $labels.instance }}) cannot be scraped",
            "Prometheus has not scraped {{ $labels.job }} at {{ $labels.instance }} for a minute: the "
            "process is down or its /metrics does not answer.",
        ),
    ),
)


def groups() -> tuple[Group, ...]:
    slo_groups = tuple(
        Group(f"shop-slo-{slo.slug}", (*_slo_recordings(slo), *_slo_alerts(slo))) for slo in SLOS
    )
    return (RED, SAGA, *slo_groups, TARGETS)
