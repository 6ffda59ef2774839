"""`shopctl record`: turn the orders of a live session into a scenario that replays the same inputs and
expects the same outcomes.

The order API lists orders by customer only (`GET /orders?customerEmail=`), and there is no "orders
since" query, so the mailbox is the index: every order placed sends its customer a "We received your
order <id>" email. The recorder
1. reads the mailbox's emails received since the given time and collects their recipients (customers)
   and the order ids in their subjects;
2. lists each such customer's orders through the order API and keeps those created since that time
   (this also finds an order whose emails never came);
3. reads each order (customer, items, status, reason), its payment ledger entry (the card's last four
   digits, the outcome) and its emails and texts (counted per status);
4. writes a scenario: per order a `place` with a fresh generated customer (same name, a phone when the
   customer had one), the same product ids and quantities, the card (the gateway simulator's test card
   with those last four digits, else one with the same outcome), the follow-up the outcome shows
   (fulfil, cancel before or after payment), then one `expect` per order: final status and reason,
   charged or not, and exactly the emails and texts that were sent.
Needs the mailbox (local platform, or a target with MAILBOX_URL); deployed environments that send
through Azure Communication Services have no such index.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

from shopctl.errors import ShopError
from shopctl.scenarios.client import ShopClient
from shopctl.scenarios.observe import counts, status_of_sms, status_of_subject
from shopctl.scenarios.schema import modeline_for
from shopctl.scenarios.targets import Target, TargetError, check_reachable

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_ORDER_IN_SUBJECT = re.compile(r"order ([A-Za-z0-9][A-Za-z0-9_-]{0,63})")
LAST4_CARDS = {
    "4242": "success",
    "0002": "declined",
    "9995": "insufficient_funds",
    "0119": "gateway_timeout",
    "0259": "fraud_review",
}
_REASON_CARDS = {
    "declined": "declined",
    "insufficient_funds": "insufficient_funds",
    "gateway_unavailable": "gateway_timeout",
}
MAILBOX_CAPACITY = 1000


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`15m`, `2h`, `1h30m`, `90s`, `1d` ago; or an ISO 8601 timestamp (UTC when it names no zone)."""
    now = now or datetime.now(UTC)
    match = _DURATION.match(text.strip())
    if match and any(match.groups()):
        days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return now - timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ShopError(
            f"--since {text!r}: expected a duration (15m, 2h, 1h30m) or an ISO 8601 timestamp"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _when(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def card_for(payment: dict[str, Any] | None) -> str:
    if payment is None:
        return "success"
    named = LAST4_CARDS.get(str(payment.get("cardLast4", "")))
    if named:
        return named
    if payment.get("status") in ("succeeded", "refunded", "pending"):
        return "success"
    return _REASON_CARDS.get(str(payment.get("failureReason")), "declined")


async def _get(client: ShopClient, service: str, path: str, params: dict[str, Any] | None = None) -> Any:
    return await client.get_json(service, path, params)


async def observe_session(client: ShopClient, since: datetime) -> tuple[list[dict[str, Any]], list[str]]:
    """The orders created since ``since``, each with its payment, emails and texts; and caveats."""
    notes: list[str] = []
    mails = (await _get(client, "mailbox", "/api/messages") or {}).get("messages") or []
    if len(mails) >= MAILBOX_CAPACITY and mails and _when(mails[-1]["receivedAt"]) > since:
        notes.append(f"the mailbox holds its maximum of {MAILBOX_CAPACITY} emails; older ones may be gone")
    recent = [m for m in mails if _when(m["receivedAt"]) >= since]
    customers = sorted({str(to).lower() for m in recent for to in m.get("to") or []})
    order_ids: dict[str, None] = {}
    for mail in recent:
        found = _ORDER_IN_SUBJECT.search(str(mail.get("subject", "")))
        if found:
            order_ids.setdefault(found.group(1))
    for email in customers:
        params: dict[str, Any] = {"customerEmail": email, "limit": 100}
        while True:
            page = await _get(client, "order", "/orders", params) or {}
            for order in page.get("items") or []:
                if _when(order["createdAt"]) >= since:
                    order_ids.setdefault(order["id"])
            if not page.get("nextCursor"):
                break
            params["cursor"] = page["nextCursor"]
    texts = (await _get(client, "mailbox", "/api/sms") or {}).get("messages") or []

    async def one(order_id: str) -> dict[str, Any] | None:
        order = await _get(client, "order", f"/orders/{order_id}")
        if not isinstance(order, dict) or _when(order["createdAt"]) < since:
            return None
        payment = await _get(client, "payment", f"/payments/{order_id}")
        own_mails = [m for m in mails if order_id in str(m.get("subject", ""))]
        own_texts = [t for t in texts if order_id in str(t.get("body", ""))]
        return {
            "order": order,
            "payment": payment if isinstance(payment, dict) else None,
            "emails": counts([status_of_subject(str(m.get("subject", ""))) for m in own_mails]),
            "sms": counts([status_of_sms(str(t.get("body", ""))) for t in own_texts]),
        }

    observed = [o for o in await asyncio.gather(*(one(i) for i in order_ids)) if o is not None]
    observed.sort(key=lambda o: (str(o["order"]["createdAt"]), o["order"]["id"]))
    product_ids = sorted({item["productId"] for o in observed for item in o["order"]["items"]})
    exists = await asyncio.gather(*(_get(client, "product", f"/products/{p}") for p in product_ids))
    gone = {p for p, found in zip(product_ids, exists, strict=True) if not isinstance(found, dict)}
    for seen in observed:
        seen["gone"] = gone
    return observed, notes


def build_scenario(
    observed: list[dict[str, Any]], name: str, target: str, since: datetime, notes: list[str]
) -> dict[str, Any]:
    labels: dict[str, str] = {}
    products: dict[str, dict[str, Any]] = {}
    fixture_of: dict[str, str] = {}
    steps: list[dict[str, Any]] = []
    expects: list[dict[str, Any]] = []
    caveats = list(notes)
    for number, seen in enumerate(observed, start=1):
        order, payment = seen["order"], seen["payment"]
        email = str(order["customer"]["email"]).lower()
        label = labels.setdefault(email, f"customer-{len(labels) + 1}")
        customer: dict[str, Any] = {"label": label, "name": order["customer"]["name"]}
        if order["customer"].get("phone"):
            customer["phone"] = "generated"
        step_id = f"order-{number}"
        ref = f"${{steps.{step_id}.orders[0]}}"
        items = []
        for item in order["items"]:
            if item["productId"] not in seen.get("gone", set()):
                items.append({"product_id": item["productId"], "quantity": item["quantity"]})
                continue
            # A product deleted since (e.g. one a scenario created): recreated with the price it had.
            fixture = fixture_of.setdefault(item["productId"], f"product-{len(fixture_of) + 1}")
            spec = products.setdefault(
                fixture,
                {"create": {"stock": 5, "price": item["unitPrice"], "currency": order["total"]["currency"]}},
            )
            spec["create"]["stock"] += item["quantity"]
            items.append({"product": fixture, "quantity": item["quantity"]})
        place = {"customer": customer, "items": items, "card": card_for(payment)}
        steps.append({"id": step_id, "note": f"recorded order {order['id']}", "place": place})
        status, reason = order["status"], order.get("statusReason")
        charged = bool(payment and payment.get("status") in ("succeeded", "refunded"))
        if status == "FULFILLED":
            steps.append({"wait_for": {"order": ref, "status": "PAID"}})
            steps.append({"fulfil": {"order": ref}})
        elif status == "CANCELLED" and reason == "payment-timeout":
            steps.append({"wait_for": {"order": ref, "status": "CANCELLED", "timeout": 1000}})
            caveats.append(
                f"{order['id']} was cancelled by the payment-timeout sweeper; the replay waits for it"
            )
        elif status == "CANCELLED":
            cancel: dict[str, Any] = {"order": ref}
            if reason and not str(reason).startswith("refund due"):
                cancel["reason"] = reason
            if charged:
                steps.append({"wait_for": {"order": ref, "status": "PAID"}})
            else:
                caveats.append(
                    f"{order['id']} was cancelled before its payment was decided; the replay cancels "
                    "at once, which races the payment"
                )
            steps.append({"cancel": cancel})
        elif status in ("PAID", "PAYMENT_FAILED"):
            steps.append({"wait_for": {"order": ref, "status": status, "timeout": 120}})
        else:
            caveats.append(f"{order['id']} was still {status} when recorded")
        expect: dict[str, Any] = {"status": status}
        if reason is not None:
            expect["status_reason"] = reason
        expect["payment"] = {"charges": 1 if charged else 0}
        notifications: dict[str, Any] = {"emails": dict(sorted(seen["emails"].items()))}
        if order["customer"].get("phone"):
            notifications["sms"] = dict(sorted(seen["sms"].items()))
        expect["notifications"] = notifications
        expects.append({"recorded": order["id"], "ref": ref, "expect": expect})
    description = (
        f"Recorded from target {target}: {len(observed)} order(s) created since {since.isoformat()}, "
        "replayed with fresh customers, the same products, quantities and cards, expecting the outcomes "
        "then observed."
    )
    if products:
        description += f" {len(products)} product(s) no longer in the catalog are created afresh."
    if caveats:
        description += " Caveats: " + "; ".join(caveats) + "."
    return {
        "name": name,
        "description": description,
        "tags": ["recorded"],
        "seed": int(since.timestamp()),
        **({"products": products} if products else {}),
        "steps": steps + _grouped(expects),
    }


def _grouped(expects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One `expect` per distinct outcome, naming all its orders: their notifications settle together."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in expects:
        groups.setdefault(json.dumps(item["expect"], sort_keys=True), []).append(item)
    steps = []
    for members in groups.values():
        refs = [m["ref"] for m in members]
        recorded = ", ".join(m["recorded"] for m in members)
        order: str | list[str] = refs[0] if len(refs) == 1 else refs
        steps.append(
            {"note": f"as recorded for {recorded}", "expect": {"order": order, **members[0]["expect"]}}
        )
    return steps


class _Dumper(yaml.SafeDumper):
    """Block style with indented sequences (what yamllint's default rules want)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def render(scenario: dict[str, Any], out: Path) -> str:
    body = yaml.dump(scenario, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)
    return f"{modeline_for(out)}\n{body}"


def record(target: Target, since_text: str, out: Path, name: str | None) -> int:
    since = parse_since(since_text)
    if not target.has("mailbox"):
        raise TargetError(
            f"record reads the mailbox to find the session's orders; target {target.name} has none"
        )
    asyncio.run(check_reachable(target, ["order", "payment", "mailbox"]))
    observed, notes = asyncio.run(_observe(target, since))
    if not observed:
        raise ShopError(
            f"no order was created on target {target.name} since {since.isoformat()}; nothing to record"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    scenario = build_scenario(observed, name or f"recorded-{stamp}", target.name, since, notes)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(scenario, out))
    print(f"recorded {len(observed)} order(s) since {since.isoformat()} into {out}")
    for note in notes:
        print(f"  note: {note}")
    return 0


async def _observe(target: Target, since: datetime) -> tuple[list[dict[str, Any]], list[str]]:
    async with httpx.AsyncClient(timeout=30, trust_env=not target.is_local) as http:
        return await observe_session(ShopClient(target, http), since)
