"""The invariants as pure functions of what an experiment expected and what the platform shows.

Each returns an `InvariantResult` whose counts say why it holds or not, and whose problems name every
offending order, payment, product or queue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from shop_invariants.model import (
    PAID_STATUSES,
    TERMINAL_STATUSES,
    Expectations,
    InvariantResult,
    Observation,
    ObservedOrder,
)

# Which status an email is about, from the notification service's subject templates.
SUBJECT_STATUS = (
    ("we received your order", "PENDING_PAYMENT"),
    ("payment received for order", "PAID"),
    ("payment failed for order", "PAYMENT_FAILED"),
    ("is on its way", "FULFILLED"),
    ("was cancelled", "CANCELLED"),
)


def status_of_subject(subject: str) -> str:
    text = subject.casefold()
    return next((status for prefix, status in SUBJECT_STATUS if prefix in text), "OTHER")


def _present(obs: Observation) -> dict[str, ObservedOrder]:
    return {order_id: order for order_id, order in obs.orders.items() if order is not None}


def no_order_missing(exp: Expectations, obs: Observation) -> InvariantResult:
    missing = [order.id for order in exp.accepted if obs.orders.get(order.id) is None]
    return InvariantResult(
        "no-accepted-order-missing",
        not missing,
        {"accepted": len(exp.accepted), "found": len(exp.accepted) - len(missing), "missing": len(missing)},
        tuple(
            f"order {order_id}: accepted (201) but GET /orders/{order_id} finds nothing"
            for order_id in missing
        ),
    )


def every_order_terminal(exp: Expectations, obs: Observation) -> InvariantResult:
    present = _present(obs)
    by_status = Counter(order.status for order in present.values())
    stranded = sorted(
        order_id for order_id, order in present.items() if order.status not in TERMINAL_STATUSES
    )
    late = obs.elapsed > exp.terminal_within_seconds
    counts: dict[str, int | float | str] = {"accepted": len(exp.accepted), **dict(sorted(by_status.items()))}
    counts["bound_s"] = exp.terminal_within_seconds
    return InvariantResult(
        "every-order-terminal",
        not stranded and not late,
        counts,
        tuple(f"order {order_id} still {present[order_id].status}" for order_id in stranded)
        + (
            (f"took {obs.elapsed:.1f} s, more than the {exp.terminal_within_seconds:g} s bound",)
            if late
            else ()
        ),
    )


def charged_at_most_once(exp: Expectations, obs: Observation) -> InvariantResult:
    """One ledger row per order, one approved gateway charge per payment, no approved charge the ledger does
    not know (money taken without a record), no successful payment for an order that is not paid."""
    accepted = {order.id for order in exp.accepted}
    present = _present(obs)
    rows = [row for row in obs.ledger if row.order_id in accepted]
    problems: list[str] = []
    per_order = Counter(row.order_id for row in rows)
    problems += [f"order {order_id}: {n} ledger rows" for order_id, n in sorted(per_order.items()) if n > 1]
    succeeded = [row for row in rows if row.succeeded]
    for row in succeeded:
        order = present.get(row.order_id)
        if order is not None and order.status not in PAID_STATUSES and not order.refund_due:
            problems.append(f"order {row.order_id}: charged (payment {row.payment_id}) but {order.status}")
    for order_id, order in sorted(present.items()):
        if order.status in PAID_STATUSES and not any(row.order_id == order_id for row in succeeded):
            problems.append(f"order {order_id}: {order.status} without a successful ledger row")
    counts: dict[str, int | float | str] = {"ledger_rows": len(rows), "succeeded": len(succeeded)}
    if obs.gateway is not None:
        known = {row.payment_id for row in rows}
        approved = Counter(charge.payment_id for charge in obs.gateway if charge.approved)
        mine = {payment_id: n for payment_id, n in approved.items() if payment_id in known}
        problems += [
            f"payment {payment_id}: approved {n} times at the gateway"
            for payment_id, n in mine.items()
            if n > 1
        ]
        orphans = sorted(set(approved) - {row.payment_id for row in obs.ledger})
        problems += [
            f"payment {payment_id}: approved at the gateway, unknown to the ledger" for payment_id in orphans
        ]
        counts["gateway_approved"] = sum(mine.values())
        counts["gateway_orphans"] = len(orphans)
    return InvariantResult("at-most-one-charge", not problems, counts, tuple(problems))


def ledger_matches_paid_orders(exp: Expectations, obs: Observation) -> InvariantResult:
    accepted = {order.id for order in exp.accepted}
    present = _present(obs)
    kept = [row for row in obs.ledger if row.order_id in accepted and row.succeeded and not row.refunded]
    ledger_total = sum((row.amount for row in kept), Decimal(0))
    paid = [order for order in present.values() if order.status in PAID_STATUSES or order.refund_due]
    orders_total = sum((order.total for order in paid), Decimal(0))
    return InvariantResult(
        "ledger-equals-paid-orders",
        ledger_total == orders_total,
        {
            "ledger_total": f"{ledger_total:.2f}",
            "paid_orders_total": f"{orders_total:.2f}",
            "paid_orders": len(paid),
            "refund_due": sum(1 for order in paid if order.refund_due),
        },
        ()
        if ledger_total == orders_total
        else (f"ledger {ledger_total:.2f} != paid orders {orders_total:.2f}",),
    )


def stock_conserved(exp: Expectations, obs: Observation) -> InvariantResult:
    """start - sold = end for each product the orders touched, and nothing left reserved. An order cancelled
    after its payment landed ("refund due") may or may not have kept its units: both are accepted."""
    present = _present(obs)
    sold: Counter[str] = Counter()
    maybe: Counter[str] = Counter()
    for order in exp.accepted:
        seen = present.get(order.id)
        if seen is None:
            continue
        if seen.status in PAID_STATUSES or seen.refund_due:
            target = sold if seen.status in PAID_STATUSES else maybe
            for line in order.lines:
                target[line.product_id] += line.quantity
    problems: list[str] = []
    for product_id in exp.product_ids():
        before, after = exp.stock_before.get(product_id), obs.stock.get(product_id)
        if before is None or after is None:
            problems.append(f"product {product_id}: {'no stock before' if before is None else 'gone'}")
            continue
        low, high = before.stock - sold[product_id] - maybe[product_id], before.stock - sold[product_id]
        if not low <= after.stock <= high:
            expected = str(high) if low == high else f"{low}..{high}"
            problems.append(
                f"product {product_id}: stock {before.stock} - sold {sold[product_id]} should be {expected}, "
                f"is {after.stock}"
            )
        if after.reserved != 0:
            problems.append(f"product {product_id}: {after.reserved} unit(s) still reserved")
    return InvariantResult(
        "stock-conserved",
        not problems,
        {
            "products": len(exp.product_ids()),
            "units_sold": sum(sold.values()),
            "still_reserved": sum(level.reserved for level in obs.stock.values()),
        },
        tuple(problems),
    )


def one_notification_per_event(exp: Expectations, obs: Observation) -> InvariantResult:
    """Exactly one email per (order, status): none twice, and the 'received' and final-status ones present."""
    accepted = {order.id for order in exp.accepted}
    present = _present(obs)
    per_kind: Counter[tuple[str, str]] = Counter()
    for email in obs.emails:
        order_id = next((word for word in email.subject.split() if word in accepted), None)
        if order_id is not None:
            per_kind[(order_id, status_of_subject(email.subject))] += 1
    duplicates = sorted((key, n) for key, n in per_kind.items() if n > 1)
    missing = [
        (order_id, kind)
        for order_id, order in sorted(present.items())
        for kind in ("PENDING_PAYMENT", order.status)
        if order.status in TERMINAL_STATUSES and per_kind[(order_id, kind)] == 0
    ]
    problems = [f"order {o}: {n} emails about {kind}" for (o, kind), n in duplicates]
    problems += [f"order {o}: no email about {kind}" for o, kind in missing]
    return InvariantResult(
        "one-notification-per-event",
        not problems,
        {"emails": sum(per_kind.values()), "duplicates": len(duplicates), "missing": len(missing)},
        tuple(problems),
    )


def outbox_drained(exp: Expectations, obs: Observation) -> InvariantResult:
    pending = obs.outbox_pending
    return InvariantResult(
        "outbox-drained",
        pending == 0,
        {"pending": "unknown" if pending is None else pending},
        ()
        if pending == 0
        else (f"order outbox: {pending if pending is not None else 'unreadable'} unsent rows",),
    )


def dead_letters_as_meant(exp: Expectations, obs: Observation) -> InvariantResult:
    entities = sorted(set(obs.dead_letters) | set(exp.dead_letters_allowed))
    seen, meant = obs.dead_letters, exp.dead_letters_allowed
    problems = [
        f"{path}: {seen.get(path, 0)} dead-lettered, meant {meant.get(path, 0)}"
        for path in entities
        if seen.get(path, 0) != meant.get(path, 0)
    ]
    return InvariantResult(
        "dead-letters-as-meant",
        not problems,
        {"dead_lettered": sum(obs.dead_letters.values()), "meant": sum(exp.dead_letters_allowed.values())},
        tuple(problems),
    )


Check = Callable[[Expectations, Observation], InvariantResult]

ALL_CHECKS: tuple[Check, ...] = (
    no_order_missing,
    every_order_terminal,
    charged_at_most_once,
    ledger_matches_paid_orders,
    stock_conserved,
    one_notification_per_event,
    outbox_drained,
    dead_letters_as_meant,
)
