"""Reading what the shop did, through its public APIs only: orders, the payment ledger, stock, the
notification log, and the mailbox (emails and texts).

Which status an email or text is about comes from its subject or body (the notification service's
templates), and which order from the order id every subject and text carries.
"""

from __future__ import annotations

import time
from typing import Any

# The invariants library reads email subjects the same way; re-exported for the recorder and expectations.
from shop_invariants.checks import status_of_subject as status_of_subject

from shopctl.scenarios.context import ScenarioContext, ScenarioError

SMS_STATUS = (
    ("payment received", "PAID"),
    ("failed", "PAYMENT_FAILED"),
    ("has shipped", "FULFILLED"),
    ("was cancelled", "CANCELLED"),
)


def status_of_sms(body: str) -> str:
    text = body.casefold()
    return next((status for marker, status in SMS_STATUS if marker in text), "OTHER")


async def read_order(ctx: ScenarioContext, order_id: str) -> dict[str, Any]:
    order = await ctx.client.get_json("order", f"/orders/{order_id}")
    if not isinstance(order, dict):
        raise ScenarioError(f"order {order_id} does not exist (GET /orders/{order_id} answered 404)")
    ctx.update(order)
    return ctx.order(order_id) or order


async def payment_of(ctx: ScenarioContext, order_id: str) -> dict[str, Any] | None:
    payment = await ctx.client.get_json("payment", f"/payments/{order_id}")
    return payment if isinstance(payment, dict) else None


async def product(ctx: ScenarioContext, product_id: str) -> dict[str, Any]:
    found = await ctx.client.get_json("product", f"/products/{product_id}")
    if not isinstance(found, dict):
        raise ScenarioError(f"product {product_id} does not exist")
    return found


async def customer_orders(ctx: ScenarioContext, email: str) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = []
    params: dict[str, Any] = {"customerEmail": email, "limit": 100}
    while True:
        page = await ctx.client.get_json("order", "/orders", params)
        if not isinstance(page, dict):
            raise ScenarioError(f"order: GET /orders?customerEmail={email} answered {page!r}")
        orders.extend(page.get("items") or [])
        if not page.get("nextCursor"):
            return orders
        params["cursor"] = page["nextCursor"]


async def emails_about(ctx: ScenarioContext, order: dict[str, Any]) -> list[dict[str, Any]]:
    """Emails to the order's customer whose subject names the order, oldest first."""
    email = order["customer"]["email"]
    found = await ctx.client.get_json("mailbox", "/api/messages", {"to": email})
    messages = (found or {}).get("messages") or []
    mine = [m for m in messages if order["id"] in str(m.get("subject", ""))]
    return sorted(mine, key=lambda m: str(m.get("receivedAt", "")))


async def texts_about(ctx: ScenarioContext, order: dict[str, Any]) -> list[dict[str, Any]]:
    phone = order["customer"].get("phone")
    if not phone:
        return []
    found = await ctx.client.get_json("mailbox", "/api/sms", {"to": phone})
    messages = (found or {}).get("messages") or []
    mine = [m for m in messages if order["id"] in str(m.get("body", ""))]
    return sorted(mine, key=lambda m: str(m.get("receivedAt", "")))


def counts(statuses: list[str]) -> dict[str, int]:
    result: dict[str, int] = {}
    for status in statuses:
        result[status] = result.get(status, 0) + 1
    return result


async def history(ctx: ScenarioContext, order: dict[str, Any]) -> tuple[list[str], str]:
    """The statuses the order went through, in order, and where that came from: the notification
    service's log (one email per status change), else the mailbox, else what polling saw."""
    target = ctx.client.target
    if target.has("notification"):
        log = await ctx.client.get_json("notification", "/notifications", {"orderId": order["id"]})
        entries = [e for e in (log or {}).get("notifications") or [] if e.get("channel") == "email"]
        entries.sort(key=lambda e: str(e.get("at", "")))
        return [str(e.get("orderStatus")) for e in entries], "notification log"
    if target.has("mailbox"):
        mails = await emails_about(ctx, order)
        return [status_of_subject(str(m.get("subject", ""))) for m in mails], "mailbox"
    return list(ctx.seen_statuses.get(order["id"], [])), "polling"


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def latency(ctx: ScenarioContext) -> dict[str, Any]:
    place = [a.elapsed_ms for a in ctx.answers]
    settle = list(ctx.settled_after.values())

    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    return {
        "place_count": len(place),
        "place_p50_ms": rounded(percentile(place, 0.5), 1),
        "place_p95_ms": rounded(percentile(place, 0.95), 1),
        "place_max_ms": rounded(max(place) if place else None, 1),
        "settle_count": len(settle),
        "settle_p50_s": rounded(percentile(settle, 0.5), 2),
        "settle_p95_s": rounded(percentile(settle, 0.95), 2),
        "measured_at": time.time(),
    }
