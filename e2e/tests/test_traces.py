"""One trace across the order saga: order -> payment-worker -> order -> notification, with product on the way.

The platform runs with its trace receiver (component ``telemetry``), so every service gets
``OTEL_EXPORTER_OTLP_ENDPOINT`` (``env_with`` in harness/platform.yaml). The test sends ``POST /orders``
with a ``traceparent`` of its own, so it knows the trace id before any span is exported, pays with the
success card, waits for PAID and the confirmation email, then reads the trace back from the receiver and
checks the causal chain through the ``traceparent`` carried in the messages:

    order SERVER POST /orders
      ... payment-worker CONSUMER (payment-requests)
            ... order CONSUMER (payment-events)
                  ... notification CONSUMER (order-events)

and that product served part of it. On failure the message names what is missing and shows the tree.

`test_a_service_that_cannot_export_is_named` shows the check bites: notification's exporter endpoint
points at a closed port (a copy of platform.yaml), and the check must fail naming notification. It
launches the platform a second time, so it runs only with ``SHOP_TRACES_BITE=1``
(``make traces-bite``; see emulators/telemetry/make.mk).
"""

from __future__ import annotations

import os
import secrets
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from shopctl.testing import LaunchedPlatform, launched

REPO = Path(__file__).resolve().parents[2]
SAGA = ("order", "payment-worker", "notification", "telemetry")
SUCCESS_CARD = "4242424242424242"
TERMINAL = {"PAID", "PAYMENT_FAILED", "CANCELLED", "FULFILLED"}
# Services export in batches (the SDK's default schedule is 5 s); the last span, notification's, comes
# after the email.
EXPORT_WAIT_SECONDS = 20.0


@dataclass(frozen=True)
class Saga:
    trace_id: str
    order_id: str
    spans: list[dict[str, Any]]
    tree: str


@contextmanager
def _clients(platform: LaunchedPlatform) -> Iterator[dict[str, httpx.Client]]:
    names = ("product", "order", "mailbox", "telemetry")
    clients = {
        name: httpx.Client(base_url=f"http://127.0.0.1:{platform.port(name, 'http')}", timeout=40)
        for name in names
    }
    try:
        yield clients
    finally:
        for client in clients.values():
            client.close()


def _place_paid_order(clients: dict[str, httpx.Client], trace_id: str) -> str:
    listed = clients["product"].get("/products", params={"inStock": "true", "limit": 20})
    assert listed.status_code == 200, listed.text
    product = next(p for p in listed.json()["items"] if p["stock"] >= 1)
    email = f"traced-{uuid.uuid4().hex[:8]}@example.com"
    body = {
        "customer": {"email": email, "name": "Trace Tester"},
        "items": [{"productId": product["id"], "quantity": 1}],
        "paymentMethod": {"type": "card", "token": SUCCESS_CARD},
    }
    headers = {
        "Idempotency-Key": str(uuid.uuid4()),
        "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01",
    }
    created = clients["order"].post("/orders", json=body, headers=headers)
    assert created.status_code == 201, created.text
    order_id: str = created.json()["id"]
    deadline = time.monotonic() + 60
    status = "PENDING_PAYMENT"
    while status not in TERMINAL and time.monotonic() < deadline:
        time.sleep(0.25)
        status = clients["order"].get(f"/orders/{order_id}").json()["status"]
    assert status == "PAID", f"order {order_id} ended {status}"
    paid: dict[str, str | int] = {
        "to": email,
        "subject": f"Payment received for order {order_id}",
        "wait": 30,
    }
    mails = clients["mailbox"].get("/api/messages", params=paid).json()["messages"]
    assert len(mails) == 1, mails
    return order_id


def _read_trace(telemetry: httpx.Client, trace_id: str) -> tuple[list[dict[str, Any]], str]:
    answer = telemetry.get(f"/api/traces/{trace_id}")
    if answer.status_code == 404:
        return [], "(no span of this trace reached the receiver)\n"
    answer.raise_for_status()
    return answer.json()["spans"], telemetry.get(f"/api/traces/{trace_id}/tree").text


def run_traced_saga(platform: LaunchedPlatform) -> Saga:
    """Place and pay an order under a trace id of our own; the spans the receiver holds for it once the
    chain is complete, or when `EXPORT_WAIT_SECONDS` have passed."""
    trace_id = secrets.token_hex(16)
    with _clients(platform) as clients:
        order_id = _place_paid_order(clients, trace_id)
        deadline = time.monotonic() + EXPORT_WAIT_SECONDS
        while True:
            spans, tree = _read_trace(clients["telemetry"], trace_id)
            if not saga_chain_problems(spans) or time.monotonic() > deadline:
                return Saga(trace_id, order_id, spans, tree)
            time.sleep(1)


def _parents(spans: list[dict[str, Any]]) -> dict[str, str | None]:
    return {span["spanId"]: span["parentSpanId"] for span in spans}


def descends_from(span: dict[str, Any], ancestor: dict[str, Any], parents: dict[str, str | None]) -> bool:
    """Whether ``ancestor`` is on ``span``'s chain of parents, every link of which was exported."""
    seen: set[str] = set()
    current = parents.get(span["spanId"])
    while current is not None and current not in seen:
        if current == ancestor["spanId"]:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _of(spans: list[dict[str, Any]], service: str, kind: str) -> list[dict[str, Any]]:
    return [span for span in spans if span["service"] == service and span["kind"] == kind]


def saga_chain_problems(spans: list[dict[str, Any]]) -> list[str]:
    """What the trace lacks for the saga's causal chain; empty when it is whole."""
    parents = _parents(spans)
    services = sorted({span["service"] for span in spans})
    problems = [
        f"no span from service.name {service} (services in the trace: {', '.join(services) or 'none'})"
        for service in ("order", "product", "payment-worker", "notification")
        if service not in services
    ]
    servers = [span for span in _of(spans, "order", "SERVER") if span["name"].startswith("POST /orders")]
    if not servers:
        return [*problems, "no SERVER span 'POST /orders' of order"]
    post = servers[0]
    if not any(descends_from(span, post, parents) for span in spans if span["service"] == "product"):
        problems.append("no product span under order's POST /orders (the reservation call)")
    steps = (
        ("payment-worker", "payment-requests"),
        ("order", "payment-events"),
        ("notification", "order-events"),
    )
    previous = post
    for service, destination in steps:
        consumers = [
            span for span in _of(spans, service, "CONSUMER") if descends_from(span, previous, parents)
        ]
        if not consumers:
            problems.append(
                f"no CONSUMER span of {service} ({destination}) under {previous['service']}'s "
                f"{previous['kind']} span {previous['name']!r}"
            )
            break
        previous = min(consumers, key=lambda span: span["startTimeUnixNano"])
    return problems


def assert_one_saga_trace(saga: Saga) -> None:
    problems = saga_chain_problems(saga.spans)
    assert not problems, (
        f"trace {saga.trace_id} of order {saga.order_id}:\n  " + "\n  ".join(problems) + "\n" + saga.tree
    )


def test_one_trace_spans_the_order_saga_from_post_to_email() -> None:
    with launched(*SAGA) as platform:
        saga = run_traced_saga(platform)

    assert_one_saga_trace(saga)
    post = next(s for s in saga.spans if s["service"] == "order" and s["name"].startswith("POST /orders"))
    assert post["kind"] == "SERVER"
    assert post["parentSpanId"] is not None  # continues the caller's traceparent
    assert {s["traceId"] for s in saga.spans} == {saga.trace_id}


def _closed_port() -> tuple[socket.socket, int]:
    """A port bound and never listened on, so connections to it are refused while the socket lives."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    return holder, int(holder.getsockname()[1])


def _platform_with_notification_exporting_to(tmp_path: Path, endpoint: str) -> Path:
    platform = yaml.safe_load((REPO / "harness" / "platform.yaml").read_text())
    platform["root"] = str(REPO)
    # A new mapping: the services share one env_with block through a YAML anchor.
    platform["components"]["notification"]["env_with"] = {
        "telemetry": {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}
    }
    copy = tmp_path / "platform.yaml"
    copy.write_text(yaml.safe_dump(platform, sort_keys=False))
    return copy


@pytest.mark.skipif(
    os.environ.get("SHOP_TRACES_BITE") != "1", reason="second platform launch: make traces-bite"
)
def test_a_service_that_cannot_export_is_named(tmp_path: Path) -> None:
    holder, port = _closed_port()
    with holder:
        broken = _platform_with_notification_exporting_to(tmp_path, f"http://127.0.0.1:{port}")
        with launched(*SAGA, platform_file=broken) as platform:
            saga = run_traced_saga(platform)

    problems = saga_chain_problems(saga.spans)
    assert problems, "the check passed although notification could not export"
    assert all("notification" in problem for problem in problems), problems
    with pytest.raises(AssertionError, match=r"no span from service\.name notification"):
        assert_one_saga_trace(saga)
