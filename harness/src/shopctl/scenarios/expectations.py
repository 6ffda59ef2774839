"""Expectations: an answer (status, problem+json type and fields, idempotent replay) checked at once;
`expect` steps checked until they hold or `within` runs out, then notifications watched for `settle`
seconds more so a late duplicate fails the scenario.

Every mismatch becomes a `Failure` naming the step, the expectation, the expected and the observed
value, and the order(s) concerned.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from shopctl.scenarios import observe
from shopctl.scenarios.client import Answer, slug
from shopctl.scenarios.context import ExpectationFailedError, Failure, ScenarioContext, Where
from shopctl.scenarios.model import (
    Expect,
    NotificationExpectation,
    PaymentExpectation,
    ProblemExpectation,
    ResponseExpectation,
    ResponsesExpectation,
)

Mismatch = tuple[str, str, str]  # expectation, expected, observed
_POLL_SECONDS = 0.5


# --- one answer ---------------------------------------------------------------------------------------


def check_problem(answer: Answer, expected: ProblemExpectation, label: str = "problem") -> list[Mismatch]:
    if answer.problem is None:
        content_type = answer.headers.get("content-type", "no content type")
        return [
            (
                f"{label} type",
                f"application/problem+json of type {expected.type}",
                f"{answer.status} {content_type}",
            )
        ]
    mismatches = []
    observed_type = answer.problem_type()
    if expected.type not in (observed_type, slug(observed_type)):
        mismatches.append((f"{label} type", expected.type, observed_type or "(none)"))
    wanted = [f for f in [expected.field, *expected.fields] if f]
    named = answer.problem_fields()
    missing = [f for f in wanted if f not in named]
    if missing:
        mismatches.append((f"{label} field", ", ".join(wanted), ", ".join(named) or "(no field named)"))
    return mismatches


def check_answer(
    answer: Answer,
    expected: ResponseExpectation | str | None,
    order_ids: Callable[[str], list[str]],
) -> list[Mismatch]:
    if expected == "any":
        return []
    if expected is None or isinstance(expected, str):
        return [] if answer.ok else [("response", "a 2xx answer", answer.summary())]
    mismatches: list[Mismatch] = []
    statuses = [expected.status] if isinstance(expected.status, int) else list(expected.status)
    if answer.status not in statuses:
        mismatches.append(("response status", " or ".join(str(s) for s in statuses), answer.summary()))
    if expected.problem is not None:
        mismatches.extend(check_problem(answer, expected.problem))
    if expected.replayed is not None:
        replayed = answer.headers.get("idempotent-replayed") == "true"
        if replayed != expected.replayed:
            mismatches.append(("Idempotent-Replayed", str(expected.replayed).lower(), str(replayed).lower()))
    if expected.same_order_as is not None:
        wanted = order_ids(expected.same_order_as)
        got = answer.body.get("id") if isinstance(answer.body, dict) else None
        if got not in wanted:
            mismatches.append(("same order", " or ".join(wanted), str(got)))
    return mismatches


def fail(where: Where, mismatches: list[Mismatch], orders: list[str]) -> ExpectationFailedError:
    return ExpectationFailedError(
        [
            Failure(where.label(), where.line, name, expected, observed, orders)
            for name, expected, observed in mismatches
        ]
    )


# --- expect steps -------------------------------------------------------------------------------------


async def check(ctx: ScenarioContext, expect: Expect, where: Where, iteration: int | None) -> None:
    order_ids = ctx.order_ids(expect.order, iteration)
    deadline = time.monotonic() + expect.within
    while True:
        failures = await _state(ctx, expect, order_ids, where)
        if not failures or time.monotonic() >= deadline or all(_settled(f) for f in failures):
            break
        await asyncio.sleep(_POLL_SECONDS)
    if not failures and expect.notifications is not None:
        failures = await _notifications(ctx, expect.notifications, order_ids, where, expect.within)
    failures.extend(_latency(ctx, expect, where))
    if failures:
        raise ExpectationFailedError(failures)


_FINAL_STATUSES = ("PAYMENT_FAILED", "FULFILLED", "CANCELLED")
_STATIC = ("count", "2xx answers", "4xx answers", "refusals", "refusal problem")


def _settled(failure: Failure) -> bool:
    """A mismatch that waiting cannot mend: the answers already given, an order in a final status."""
    if failure.expectation.startswith(_STATIC):
        return True
    return failure.expectation == "status" and failure.observed.startswith(_FINAL_STATUSES)


async def _state(ctx: ScenarioContext, expect: Expect, order_ids: list[str], where: Where) -> list[Failure]:
    failures: list[Failure] = []

    def add(name: str, expected: object, observed: object, orders: list[str] | None = None) -> None:
        failures.append(Failure(where.label(), where.line, name, str(expected), str(observed), orders or []))

    if expect.count is not None and len(order_ids) != expect.count:
        add("count", expect.count, f"{len(order_ids)} order(s)", order_ids)
    if expect.responses is not None:
        for name, expected, observed in _responses(ctx, expect.responses):
            add(name, expected, observed)
    per_order = "status_reason" in expect.model_fields_set or any(
        value is not None
        for value in (expect.status, expect.status_reason_contains, expect.history, expect.payment)
    )
    if per_order:
        results = await asyncio.gather(*(_one_order(ctx, expect, order_id) for order_id in order_ids))
        for order_id, mismatches in zip(order_ids, results, strict=True):
            for name, expected, observed in mismatches:
                add(name, expected, observed, [order_id])
    if expect.stock:
        for name, wanted in expect.stock.items():
            start = ctx.products[name]
            now = await observe.product(ctx, start["id"])
            if wanted.delta is not None and now["stock"] - start["stock"] != wanted.delta:
                add(
                    f"stock delta of {name}",
                    f"{wanted.delta:+d}",
                    f"{now['stock'] - start['stock']:+d} (stock {start['stock']} → {now['stock']})",
                )
            if wanted.stock is not None and now["stock"] != wanted.stock:
                add(f"stock of {name}", wanted.stock, now["stock"])
            if wanted.reserved is not None and now["reserved"] != wanted.reserved:
                add(f"reserved of {name}", wanted.reserved, now["reserved"])
    if expect.customer_orders:
        for label, wanted_count in expect.customer_orders.items():
            customer = ctx.customers.get(label)
            if customer is None:
                add(f"orders of customer {label}", wanted_count, "no such customer label in this scenario")
                continue
            listed = await observe.customer_orders(ctx, customer["email"])
            if len(listed) != wanted_count:
                add(f"orders of customer {label}", wanted_count, len(listed), [o["id"] for o in listed])
    return failures


async def _one_order(ctx: ScenarioContext, expect: Expect, order_id: str) -> list[Mismatch]:
    order = await observe.read_order(ctx, order_id)
    mismatches: list[Mismatch] = []
    if expect.status is not None:
        wanted = [expect.status] if isinstance(expect.status, str) else list(expect.status)
        if order["status"] not in wanted:
            reason = f" (reason: {order.get('statusReason')})" if order.get("statusReason") else ""
            mismatches.append(("status", " or ".join(wanted), f"{order['status']}{reason}"))
    checks_reason = expect.status_reason is not None or "status_reason" in expect.model_fields_set
    if checks_reason and order.get("statusReason") != expect.status_reason:
        mismatches.append(("status reason", repr(expect.status_reason), repr(order.get("statusReason"))))
    if expect.status_reason_contains is not None and expect.status_reason_contains not in str(
        order.get("statusReason") or ""
    ):
        mismatches.append(
            (
                "status reason",
                f"containing {expect.status_reason_contains!r}",
                repr(order.get("statusReason")),
            )
        )
    if expect.history is not None:
        seen, source = await observe.history(ctx, order)
        if seen != list(expect.history):
            mismatches.append(
                ("history", " → ".join(expect.history), f"{' → '.join(seen) or '(none)'} ({source})")
            )
    if expect.payment is not None:
        mismatches.extend(await _payment(ctx, expect.payment, order))
    return mismatches


async def _payment(ctx: ScenarioContext, wanted: PaymentExpectation, order: dict[str, Any]) -> list[Mismatch]:
    payment = await observe.payment_of(ctx, order["id"])
    status = payment["status"] if payment else "none"
    mismatches: list[Mismatch] = []
    if wanted.status is not None and status != wanted.status:
        mismatches.append(("payment status", wanted.status, status))
    if wanted.charges is not None:
        charges = 1 if status in ("succeeded", "refunded") else 0
        if charges != wanted.charges:
            mismatches.append(("payment charges", str(wanted.charges), f"{charges} (ledger status {status})"))
    if wanted.failure_reason is not None:
        reason = payment.get("failureReason") if payment else None
        if reason != wanted.failure_reason:
            mismatches.append(("payment failure reason", wanted.failure_reason, str(reason)))
    if wanted.amount is not None:
        total = order.get("total") or {}
        expected = total.get("value") if wanted.amount == "order_total" else wanted.amount
        amount = (payment or {}).get("amount") or {}
        if amount.get("value") != expected or (
            total.get("currency") and amount.get("currency") != total["currency"]
        ):
            mismatches.append(
                (
                    "payment amount",
                    f"{expected} {total.get('currency', '')}".strip(),
                    f"{amount.get('value')} {amount.get('currency', '')}".strip()
                    if payment
                    else "no payment",
                )
            )
    return mismatches


def _responses(ctx: ScenarioContext, wanted: ResponsesExpectation) -> list[Mismatch]:
    results = ctx.results.get(wanted.step)
    responses = results.responses if results else []
    by_status: dict[int, int] = {}
    for response in responses:
        by_status[response["status"]] = by_status.get(response["status"], 0) + 1
    breakdown = ", ".join(f"{status}: {n}" for status, n in sorted(by_status.items())) or "no answers"
    succeeded = sum(n for status, n in by_status.items() if 200 <= status < 300)
    refused = [r for r in responses if 400 <= r["status"] < 500]
    mismatches: list[Mismatch] = []
    if wanted.succeeded is not None and succeeded != wanted.succeeded:
        mismatches.append(
            (f"2xx answers of {wanted.step}", str(wanted.succeeded), f"{succeeded} ({breakdown})")
        )
    if wanted.refused is not None and len(refused) != wanted.refused:
        mismatches.append(
            (f"4xx answers of {wanted.step}", str(wanted.refused), f"{len(refused)} ({breakdown})")
        )
    if wanted.refused_status is not None:
        allowed = [wanted.refused_status] if isinstance(wanted.refused_status, int) else wanted.refused_status
        odd = sorted({r["status"] for r in refused if r["status"] not in allowed})
        if odd:
            mismatches.append((f"refusals of {wanted.step}", " or ".join(map(str, allowed)), breakdown))
    if wanted.refused_problem is not None:
        bad: list[Mismatch] = []
        for response in refused:
            answer = Answer(
                "POST", "", response["status"], response["body"], {"content-type": response["content_type"]}
            )
            bad.extend(check_problem(answer, wanted.refused_problem, "refusal problem")[:1])
        if bad:
            name, expected, observed = bad[0]
            mismatches.append(
                (f"{name} of {wanted.step}", expected, f"{observed} ({len(bad)} of {len(refused)})")
            )
    return mismatches


def _format_counts(values: dict[str, int]) -> str:
    shown = {k: v for k, v in values.items() if v}
    return "{" + ", ".join(f"{k}: {v}" for k, v in sorted(shown.items())) + "}" if shown else "none"


async def _observe_notifications(
    ctx: ScenarioContext, spec: NotificationExpectation, order_ids: list[str]
) -> dict[str, dict[str, dict[str, int]]]:
    async def one(order_id: str) -> dict[str, dict[str, int]]:
        order = ctx.order(order_id) or await observe.read_order(ctx, order_id)
        seen: dict[str, dict[str, int]] = {}
        if spec.emails is not None:
            mails = await observe.emails_about(ctx, order)
            seen["emails"] = observe.counts(
                [observe.status_of_subject(str(m.get("subject", ""))) for m in mails]
            )
        if spec.sms is not None:
            texts = await observe.texts_about(ctx, order)
            seen["sms"] = observe.counts([observe.status_of_sms(str(t.get("body", ""))) for t in texts])
        return seen

    results = await asyncio.gather(*(one(order_id) for order_id in order_ids))
    return dict(zip(order_ids, results, strict=True))


def _notification_mismatches(
    spec: NotificationExpectation, observed: dict[str, dict[str, dict[str, int]]]
) -> list[tuple[str, Mismatch]]:
    mismatches = []
    for order_id, channels in observed.items():
        for channel, wanted in (("emails", spec.emails), ("sms", spec.sms)):
            if wanted is None:
                continue
            seen = channels.get(channel, {})
            expected: dict[str, int] = {str(status): n for status, n in wanted.items()}
            if any(seen.get(s, 0) != expected.get(s, 0) for s in {*seen, *expected}):
                mismatches.append((order_id, (channel, _format_counts(expected), _format_counts(seen))))
    return mismatches


async def _notifications(
    ctx: ScenarioContext, spec: NotificationExpectation, order_ids: list[str], where: Where, within: float
) -> list[Failure]:
    deadline = time.monotonic() + within
    while True:
        mismatches = _notification_mismatches(spec, await _observe_notifications(ctx, spec, order_ids))
        if not mismatches or time.monotonic() >= deadline:
            break
        await asyncio.sleep(1.0)
    settle_end = time.monotonic() + spec.settle
    while not mismatches and time.monotonic() < settle_end:
        await asyncio.sleep(min(1.0, max(0.0, settle_end - time.monotonic())))
        mismatches = _notification_mismatches(spec, await _observe_notifications(ctx, spec, order_ids))
        if mismatches:
            mismatches = [
                (
                    order_id,
                    (name, expected, f"{observed}, within {spec.settle:g} s after the counts were reached"),
                )
                for order_id, (name, expected, observed) in mismatches
            ]
    return [
        Failure(where.label(), where.line, name, expected, observed, [order_id])
        for order_id, (name, expected, observed) in mismatches
    ]


def _latency(ctx: ScenarioContext, expect: Expect, where: Where) -> list[Failure]:
    if expect.latency is None or not ctx.scenario.assert_latency:
        return []
    figures = observe.latency(ctx)
    failures = []
    for name, bound in (
        ("place_p95_ms", expect.latency.place_p95_ms),
        ("settle_p95_s", expect.latency.settle_p95_s),
    ):
        value = figures.get(name)
        if bound is not None and value is not None and value > bound:
            failures.append(
                Failure(where.label(), where.line, f"latency {name}", f"≤ {bound:g}", f"{value:g}")
            )
    return failures
