"""Grafana dashboards as code (grafana-foundation-sdk): the platform overview, one per service, the saga and
the emulators. `generate.py` writes them to grafana/dashboards/*.json.

Every panel queries the Prometheus data source chosen by the ``datasource`` variable, so the same JSON works
against local Prometheus and against Azure Monitor managed Prometheus in Azure Managed Grafana. Queries use
only metrics of docs/conventions.md (the tests check each one with promtool and against that table).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.builders import prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DashboardCursorSync, DataSourceRef

DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
SERVICES = ("product", "order", "payment", "payment-worker", "notification")
TAG = "contoso-shop"
# Why the SLO ratios have no series on a healthy platform: their numerator counts only bad events.
CHECKOUT_5XX = "POST /orders answers a 5xx"
GATEWAY_DOWN = "the payment gateway leaves a payment undecided (outcome gateway_unavailable)"
EMPTY_UNTIL = "emptyUntil"  # the key of a target in the JSON; Grafana keeps keys it does not know


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str
    # A query with no series until something happens (a first 5xx, a first dead letter): the event, which
    # the panel's description tells the reader and `shop-monitoring verify` prints instead of failing.
    empty_until: str = ""


@dataclass(frozen=True)
class PanelSpec:
    title: str
    unit: str
    queries: tuple[Query, ...]
    kind: str = "timeseries"  # or "stat"
    description: str = ""


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    model: dict[str, Any]  # the dashboard JSON

    def queries(self) -> Iterator[tuple[str, str]]:
        """(panel title, PromQL) of every panel, rows included."""
        for panel in _panels(self.model["panels"]):
            for target in panel.get("targets", []):
                yield panel["title"], target["expr"]


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def _panel(spec: PanelSpec) -> gd.Panel | stat.Panel | timeseries.Panel:
    builder: stat.Panel | timeseries.Panel = stat.Panel() if spec.kind == "stat" else timeseries.Panel()
    builder.title(spec.title).unit(spec.unit).datasource(DATASOURCE).height(8).span(
        6 if spec.kind == "stat" else 12
    )
    description = " ".join([spec.description, *_empty_notes(spec.queries)]).strip()
    if description:
        builder.description(description)
    for ref, query in zip("ABCDEFGH", spec.queries, strict=False):
        builder.with_target(
            prometheus.Dataquery()
            .expr(query.expr)
            .legend_format(query.legend)
            .ref_id(ref)
            .datasource(DATASOURCE)
        )
    return builder


def _empty_notes(queries: tuple[Query, ...]) -> list[str]:
    named = len(queries) > 1
    return [
        f"No data{f' for {q.legend!r}' if named else ''} until {q.empty_until}."
        for q in queries
        if q.empty_until
    ]


def _mark_empty_until(model: dict[str, Any], specs: list[PanelSpec]) -> None:
    """Copy each query's ``empty_until`` into its target: the builders have no field for it."""
    panels = [panel for panel in _panels(model["panels"]) if panel["type"] != "row"]
    for panel, spec in zip(panels, specs, strict=True):
        for target, query in zip(panel["targets"], spec.queries, strict=True):
            if query.empty_until:
                target[EMPTY_UNTIL] = query.empty_until


def build(uid: str, title: str, description: str, rows: dict[str, list[PanelSpec]]) -> Dashboard:
    builder = (
        gd.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags([TAG])
        .refresh("10s")
        .time("now-1h", "now")
        .timezone("utc")
        .tooltip(DashboardCursorSync.CROSSHAIR)
        .with_variable(gd.DatasourceVariable("datasource").label("Prometheus").type("prometheus"))
    )
    for row, panels in rows.items():
        builder.with_row(gd.Row(row))
        for spec in panels:
            builder.with_panel(_panel(spec))
    model = json.loads(json.dumps(builder.build(), cls=JSONEncoder))
    _mark_empty_until(model, [spec for panels in rows.values() for spec in panels])
    return Dashboard(uid, title, model)


def _red(job: str) -> list[PanelSpec]:
    selector = f'job="{job}"'
    return [
        PanelSpec(
            "Requests per second by route",
            "reqps",
            (
                Query(
                    f"sum by (route) (rate(http_requests_total{{{selector}}}[$__rate_interval]))", "{{route}}"
                ),
            ),
        ),
        PanelSpec(
            "Error ratio (5xx)",
            "percentunit",
            (
                Query(
                    f'sum(rate(http_requests_total{{{selector}, status=~"5.."}}[$__rate_interval]))\n/\n'
                    f"sum(rate(http_requests_total{{{selector}}}[$__rate_interval]))",
                    "5xx",
                    f"{job} answers a 5xx",
                ),
            ),
        ),
        PanelSpec(
            "Latency p50 / p95 / p99",
            "s",
            tuple(
                Query(
                    f"histogram_quantile({q}, sum by (le) "
                    f"(rate(http_request_duration_seconds_bucket{{{selector}}}[$__rate_interval])))",
                    f"p{round(q * 100)}",
                )
                for q in (0.5, 0.95, 0.99)
            ),
        ),
        PanelSpec(
            "Responses by status",
            "reqps",
            (
                Query(
                    f"sum by (status) (rate(http_requests_total{{{selector}}}[$__rate_interval]))",
                    "{{status}}",
                ),
            ),
        ),
    ]


OWN: dict[str, list[PanelSpec]] = {
    "product": [],
    "order": [
        PanelSpec(
            "Orders by status",
            "short",
            (Query("sum by (status) (order_orders_by_status)", "{{status}}"),),
        ),
        PanelSpec(
            "Outbox backlog and lag",
            "short",
            (
                Query("max(order_outbox_pending_messages)", "pending rows"),
                Query("max(order_outbox_lag_seconds)", "oldest row age (s)"),
            ),
        ),
        PanelSpec(
            "payment-events handled by outcome",
            "ops",
            (
                Query(
                    "sum by (outcome) (rate(order_payment_events_handled_total[$__rate_interval]))",
                    "{{outcome}}",
                ),
            ),
        ),
    ],
    "payment": [],
    "payment-worker": [
        PanelSpec(
            "Payment outcomes",
            "ops",
            (Query("sum by (outcome) (rate(payment_outcomes_total[$__rate_interval]))", "{{outcome}}"),),
        ),
        PanelSpec(
            "Processing time p95",
            "s",
            (
                Query(
                    "histogram_quantile(0.95, sum by (le) "
                    "(rate(payment_processing_seconds_bucket[$__rate_interval])))",
                    "p95",
                ),
            ),
        ),
        PanelSpec(
            "Dead-lettered payment requests",
            "short",
            (
                Query(
                    "sum by (reason) (increase(payment_dead_letters_total[$__range]))",
                    "{{reason}}",
                    "the worker dead-letters a payment request",
                ),
            ),
        ),
    ],
    "notification": [
        PanelSpec(
            "order-events read",
            "ops",
            (Query("sum by (result) (rate(notification_events_total[$__rate_interval]))", "{{result}}"),),
        ),
        PanelSpec(
            "Consumer lag per partition",
            "s",
            (Query("max by (partition) (notification_event_lag_seconds)", "partition {{partition}}"),),
        ),
    ],
}


def overview() -> Dashboard:
    return build(
        "shop-overview",
        "Contoso Shop / Overview",
        "Every component: scrape health, traffic, errors, latency; the checkout SLOs.",
        {
            "Components": [
                PanelSpec(
                    "Targets up",
                    "short",
                    (Query("sum(up)", "up"), Query("count(up == 0)", "down", "a target is down")),
                    "stat",
                ),
                PanelSpec(
                    "Checkout error ratio (5m)",
                    "percentunit",
                    (
                        Query(
                            'slo:sli_error:ratio_rate5m{slo="checkout-availability"}',
                            "5xx ratio",
                            CHECKOUT_5XX,
                        ),
                    ),
                    "stat",
                ),
                PanelSpec(
                    "Orders created per minute",
                    "short",
                    (Query("sum(rate(order_created_total[5m])) * 60", "orders/min"),),
                    "stat",
                ),
                PanelSpec(
                    "Payment failure ratio (5m)",
                    "percentunit",
                    (Query('slo:sli_error:ratio_rate5m{slo="payment-failure"}', "failed", GATEWAY_DOWN),),
                    "stat",
                ),
            ],
            "Traffic": [
                PanelSpec(
                    "Requests per second by service",
                    "reqps",
                    (Query("sum by (job) (rate(http_requests_total[$__rate_interval]))", "{{job}}"),),
                ),
                PanelSpec(
                    "5xx ratio by service",
                    "percentunit",
                    (Query("job:http_request_errors:ratio_rate5m", "{{job}}", "a service answers a 5xx"),),
                ),
                PanelSpec(
                    "p95 latency by service",
                    "s",
                    (
                        Query(
                            "histogram_quantile(0.95, sum by (job, le) "
                            "(rate(http_request_duration_seconds_bucket[$__rate_interval])))",
                            "{{job}}",
                        ),
                    ),
                ),
                PanelSpec(
                    "Error budget burn (1h) per SLO",
                    "percentunit",
                    (Query("slo:sli_error:ratio_rate1h", "{{slo}}"),),
                ),
            ],
        },
    )


def service(name: str) -> Dashboard:
    rows = {"HTTP (RED)": _red(name)}
    if OWN[name]:
        rows[f"{name}'s own"] = OWN[name]
    return build(
        f"shop-service-{name}",
        f"Contoso Shop / Service / {name}",
        f"The {name} component: RED metrics of its HTTP server and its own metrics (docs/conventions.md).",
        rows,
    )


def saga() -> Dashboard:
    return build(
        "shop-saga",
        "Contoso Shop / Order saga",
        "order -> Service Bus -> payment -> order -> Event Hubs -> notification: each step's throughput, lag "
        "and failures, and the saga SLOs.",
        {
            "Saga": [
                PanelSpec(
                    "Saga completion time p50 / p95",
                    "s",
                    (
                        Query(
                            "histogram_quantile(0.5, sum by (le) "
                            "(rate(order_saga_duration_seconds_bucket[$__rate_interval])))",
                            "p50",
                        ),
                        Query("order:saga_duration_seconds:p95_5m", "p95"),
                    ),
                ),
                PanelSpec(
                    "Sagas completed by outcome",
                    "ops",
                    (
                        Query(
                            "sum by (outcome) (rate(order_saga_duration_seconds_count[$__rate_interval]))",
                            "{{outcome}}",
                        ),
                    ),
                ),
                PanelSpec(
                    "Orders by status",
                    "short",
                    (Query("sum by (status) (order_orders_by_status)", "{{status}}"),),
                ),
                PanelSpec("Payment outcomes", "ops", (Query("payment:outcomes:rate5m", "{{outcome}}"),)),
            ],
            "Lag": [
                PanelSpec("Outbox lag", "s", (Query("max(order_outbox_lag_seconds)", "oldest unsent row"),)),
                PanelSpec(
                    "payment-requests waiting",
                    "short",
                    (Query('sum(servicebus_active_messages{entity="payment-requests"})', "active"),),
                ),
                PanelSpec(
                    "Notification lag per partition",
                    "s",
                    (
                        Query(
                            "max by (partition) (notification_event_lag_seconds)", "partition {{partition}}"
                        ),
                    ),
                ),
                PanelSpec(
                    "Notification events behind per partition",
                    "short",
                    (
                        Query(
                            "max by (partition) "
                            '(eventhubs_partition_last_sequence_number{hub="order-events"})\n'
                            "- on (partition)\nmax by (partition) (notification_last_sequence_number)",
                            "partition {{partition}}",
                        ),
                    ),
                ),
            ],
            "SLOs": [
                PanelSpec(
                    "Saga completion: bad ratio by window",
                    "percentunit",
                    tuple(
                        Query(f'slo:sli_error:ratio_rate{w}{{slo="saga-completion"}}', w)
                        for w in ("5m", "1h", "6h")
                    ),
                ),
                PanelSpec(
                    "Payment failure ratio by window",
                    "percentunit",
                    tuple(
                        Query(f'slo:sli_error:ratio_rate{w}{{slo="payment-failure"}}', w, GATEWAY_DOWN)
                        for w in ("5m", "1h", "6h")
                    ),
                ),
            ],
        },
    )


def emulators() -> Dashboard:
    return build(
        "shop-emulators",
        "Contoso Shop / Emulators",
        "The broker side locally: Service Bus queue and subscription depths, dead-letter queues, Event Hubs "
        "partition sizes, open AMQP connections.",
        {
            "Service Bus": [
                PanelSpec(
                    "Active messages",
                    "short",
                    (Query("sum by (entity) (servicebus_active_messages)", "{{entity}}"),),
                ),
                PanelSpec(
                    "Dead-lettered messages",
                    "short",
                    (Query("sum by (entity) (servicebus_dead_lettered_messages)", "{{entity}}"),),
                ),
                PanelSpec(
                    "Scheduled and locked",
                    "short",
                    (
                        Query("sum by (entity) (servicebus_scheduled_messages)", "scheduled {{entity}}"),
                        Query("sum by (entity) (servicebus_locked_messages)", "locked {{entity}}"),
                    ),
                ),
                PanelSpec(
                    "AMQP connections", "short", (Query("max(servicebus_connections)", "connections"),)
                ),
            ],
            "Event Hubs": [
                PanelSpec(
                    "Events retained per partition",
                    "short",
                    (Query("sum by (hub, partition) (eventhubs_partition_events)", "{{hub}}/{{partition}}"),),
                ),
                PanelSpec(
                    "Events enqueued per second",
                    "ops",
                    (
                        Query(
                            "sum by (hub) "
                            "(deriv(eventhubs_partition_last_sequence_number[$__rate_interval]))",
                            "{{hub}}",
                        ),
                    ),
                ),
                PanelSpec(
                    "Age of the newest event",
                    "s",
                    (
                        Query(
                            "time() - max by (hub, partition) "
                            "(eventhubs_partition_last_enqueued_timestamp_seconds > 0)",
                            "{{hub}}/{{partition}}",
                        ),
                    ),
                ),
                PanelSpec("AMQP connections", "short", (Query("max(eventhubs_connections)", "connections"),)),
            ],
        },
    )


def all_dashboards() -> list[Dashboard]:
    return [overview(), saga(), emulators(), *(service(name) for name in SERVICES)]
