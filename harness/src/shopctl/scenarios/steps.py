"""Carrying out the steps of a scenario: place, repeat, wait_for, cancel, fulfil, pause, fault, suspend,
expect. Blocks (`repeat`, `fault`, `suspend`) run their own steps; what a block switched on (a fault rule,
a stopped process) is switched off when it ends, whether its steps passed, failed or were interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable, Sequence
from typing import Any

from shopctl.scenarios import catalog, expectations, observe
from shopctl.scenarios.context import ExpectationFailedError, Failure, ScenarioContext, ScenarioError, Where
from shopctl.scenarios.model import (
    CARDS,
    TERMINAL_STATUSES,
    Cancel,
    Expect,
    Fault,
    FaultRule,
    Fulfil,
    Place,
    Repeat,
    Step,
    Suspend,
    WaitFor,
    step_kind,
)
from shopctl.scenarios.source import PathKey


def _admin(rule: FaultRule) -> str:
    return f"{rule.broker}-admin"


# A rule fires on the broker's side of an operation, which can come after what the steps waited for: the
# order service settles a payment outcome (a `complete`) only once it has applied it, so the order can read
# PAID a few milliseconds before a rule on that settlement fires. Rules that must fire and have not get
# this long before they are judged.
FIRING_GRACE_SECONDS = 3.0
_FIRING_POLL_SECONDS = 0.1


# Where an order can still go from each status (the order service's status machine).
_REACHABLE = {
    "PENDING_PAYMENT": {"PAID", "PAYMENT_FAILED", "CANCELLED", "FULFILLED"},
    "PAID": {"FULFILLED", "CANCELLED"},
}


class StepRunner:
    def __init__(self, ctx: ScenarioContext, on_step: Callable[[str], None] = lambda label: None) -> None:
        self.ctx = ctx
        self.on_step = on_step

    async def run(
        self,
        steps: Sequence[Step],
        path: PathKey = ("steps",),
        ids: tuple[str, ...] = (),
        i: int | None = None,
    ) -> None:
        for index, step in enumerate(steps):
            await self.one(step, (*path, index), ids, i)

    async def one(self, step: Step, path: PathKey, ids: tuple[str, ...], i: int | None) -> None:
        kind = step_kind(step) or ""
        where = Where(path, kind, self.ctx.loaded.line(path), step.id)
        self.ctx.current = where.label()
        self.on_step(where.label())
        enclosing = (*ids, step.id) if step.id else ids
        body: Any = getattr(step, kind)
        if kind == "place":
            await self.place(body, where, enclosing, i)
        elif kind == "repeat":
            await self.repeat(body, where, enclosing)
        elif kind == "wait_for":
            await self.wait_for(body, where, i)
        elif kind in ("cancel", "fulfil"):
            await self.move(kind, body, where, i)
        elif kind == "pause":
            await asyncio.sleep(float(body))
        elif kind == "fault":
            await self.fault(body, where, enclosing, i)
        elif kind == "suspend":
            await self.suspend(body, where, enclosing, i)
        elif kind == "expect":
            await self.expect(body, where, i)

    # --- orders -----------------------------------------------------------------------------------

    async def place(self, place: Place, where: Where, ids: tuple[str, ...], i: int | None) -> None:
        ctx = self.ctx
        customer = ctx.customer(place.customer, i)
        items = []
        for item in place.items:
            quantity = (
                int(ctx.evaluate(item.quantity, i)) if isinstance(item.quantity, str) else item.quantity
            )
            if item.product is not None:
                product_id = ctx.products[item.product]["id"]
            elif item.product_id is not None:
                product_id = str(ctx.evaluate(item.product_id, i))
            else:
                assert item.query is not None
                product_id = (await catalog.find(ctx, item.query, max(quantity, 1)))["id"]
            items.append({"productId": product_id, "quantity": quantity})
        body = {
            "customer": {key: customer[key] for key in ("email", "name", "phone") if customer.get(key)},
            "items": items,
            "paymentMethod": {"type": "card", "token": CARDS.get(place.card, place.card)},
        }
        headers = {"Idempotency-Key": ctx.idempotency_key(place.idempotency_key)}
        started = time.perf_counter()
        answer = await ctx.client.call("order", "POST", "/orders", json=body, headers=headers)
        order = ctx.remember(answer, ids, started)
        mismatches = expectations.check_answer(answer, place.response, lambda ref: ctx.order_ids(ref, i))
        if mismatches:
            raise expectations.fail(where, mismatches, [order["id"]] if order else [])

    async def wait_for(self, wait: WaitFor, where: Where, i: int | None) -> None:
        order_ids = self.ctx.order_ids(wait.order, i)
        if not order_ids:
            raise expectations.fail(where, [("orders", "an order to wait for", "no order placed yet")], [])
        statuses = [wait.status] if isinstance(wait.status, str) else list(wait.status)
        wanted: set[str] = set(TERMINAL_STATUSES) if wait.status == "settled" else set(statuses)
        results = await asyncio.gather(
            *(self._await(order_id, wanted, wait.timeout) for order_id in order_ids)
        )
        failures = [
            Failure(where.label(), where.line, "status", " or ".join(sorted(wanted)), observed, [order_id])
            for order_id, observed in zip(order_ids, results, strict=True)
            if observed is not None
        ]
        if failures:
            raise ExpectationFailedError(failures)

    async def _await(self, order_id: str, wanted: set[str], seconds: float) -> str | None:
        """None once the order is in a wanted status; what it is instead when it cannot get there."""
        deadline = time.monotonic() + seconds
        delay = 0.2
        while True:
            order = await observe.read_order(self.ctx, order_id)
            status = str(order["status"])
            if status in wanted:
                return None
            reason = f", reason {order['statusReason']!r}" if order.get("statusReason") else ""
            if not wanted & _REACHABLE.get(status, set()):
                return f"{status}{reason}, from which it cannot get there"
            if time.monotonic() >= deadline:
                return f"still {status}{reason} after {seconds:g} s"
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 1.0)

    async def move(self, kind: str, body: Cancel | Fulfil, where: Where, i: int | None) -> None:
        ctx = self.ctx
        for order_id in ctx.order_ids(body.order, i):
            payload = {"reason": body.reason} if isinstance(body, Cancel) and body.reason else None
            answer = await ctx.client.call("order", "POST", f"/orders/{order_id}/{kind}", json=payload)
            if answer.ok and isinstance(answer.body, dict) and "id" in answer.body:
                ctx.update(answer.body)
            mismatches = expectations.check_answer(answer, body.response, lambda ref: ctx.order_ids(ref, i))
            if mismatches:
                raise expectations.fail(where, mismatches, [order_id])

    async def expect(self, expect: Expect, where: Where, i: int | None) -> None:
        await expectations.check(self.ctx, expect, where, i)

    # --- blocks -----------------------------------------------------------------------------------

    async def repeat(self, repeat: Repeat, where: Where, ids: tuple[str, ...]) -> None:
        gate = asyncio.Semaphore(repeat.concurrency)
        inner = (*where.path, "repeat", "steps")

        async def iteration(index: int) -> None:
            async with gate:
                await self.run(repeat.steps, inner, ids, index)

        outcomes = await asyncio.gather(*(iteration(n) for n in range(repeat.times)), return_exceptions=True)
        failures: list[Failure] = []
        for outcome in outcomes:
            if isinstance(outcome, ExpectationFailedError):
                failures.extend(outcome.failures)
            elif isinstance(outcome, BaseException):
                raise outcome
        if failures:
            raise ExpectationFailedError(failures)

    async def fault(self, fault: Fault, where: Where, ids: tuple[str, ...], i: int | None) -> None:
        ctx = self.ctx
        added: list[tuple[FaultRule, str]] = []
        try:
            for index, rule in enumerate(fault.rules):
                spec = rule.model_dump(exclude_none=True, exclude={"broker", "must_fire"})
                spec.setdefault("seed", int(ctx.token("fault", where.path, index)[:8], 16))
                spec.setdefault("description", f"scenario {ctx.scenario.name} (run {ctx.run_id})")
                answer = await ctx.client.call(_admin(rule), "POST", "/faults", json=spec, admin=True)
                if answer.status != 201 or not isinstance(answer.body, dict):
                    raise ScenarioError(f"{_admin(rule)} refused fault rule {index}: {answer.summary()}")
                added.append((rule, str(answer.body["id"])))
            await self.run(fault.steps, (*where.path, "fault", "steps"), ids, i)
            await self._await_firing([(rule, rule_id) for rule, rule_id in added if rule.must_fire])
        finally:
            fired = [await self._remove_fault(rule, rule_id) for rule, rule_id in reversed(added)][::-1]
        never = [rule for (rule, _), times in zip(added, fired, strict=True) if rule.must_fire and times == 0]
        if never:
            raise ExpectationFailedError(
                [
                    Failure(
                        where.label(), where.line, "fault fired", f"{rule.describe()} at least once", "never"
                    )
                    for rule in never
                ]
            )

    async def _await_firing(self, pending: list[tuple[FaultRule, str]]) -> None:
        """Waits up to FIRING_GRACE_SECONDS until each rule has fired (or is gone, its count spent)."""
        deadline = time.monotonic() + FIRING_GRACE_SECONDS
        while pending and time.monotonic() < deadline:
            still: list[tuple[FaultRule, str]] = []
            for rule, rule_id in pending:
                seen = await self.ctx.client.call(_admin(rule), "GET", f"/faults/{rule_id}", admin=True)
                fired = seen.ok and isinstance(seen.body, dict) and int(seen.body.get("fired", 0)) > 0
                if seen.status != 404 and not fired:
                    still.append((rule, rule_id))
            pending = still
            if pending:
                await asyncio.sleep(_FIRING_POLL_SECONDS)

    async def _remove_fault(self, rule: FaultRule, rule_id: str) -> int | None:
        """Removes the rule; how often it fired (a rule with a `count` is gone once it fired that often)."""
        service = _admin(rule)
        fired: int | None = None
        try:
            seen = await self.ctx.client.call(service, "GET", f"/faults/{rule_id}", admin=True)
            if seen.status == 404:
                fired = rule.count
            elif seen.ok and isinstance(seen.body, dict):
                fired = int(seen.body.get("fired", 0))
            answer = await self.ctx.client.call(service, "DELETE", f"/faults/{rule_id}", admin=True)
        except Exception as exc:  # reported, never hides the scenario's own outcome
            self.ctx.notes.append(f"fault rule {rule_id} ({rule.describe()}) may still be active: {exc}")
            return fired
        if answer.status not in (200, 204, 404):
            self.ctx.notes.append(
                f"fault rule {rule_id} ({rule.describe()}) may still be active: {answer.summary()}"
            )
        self.ctx.notes.append(f"fault {rule.describe()} fired {fired if fired is not None else '?'} time(s)")
        return fired

    async def suspend(self, suspend: Suspend, where: Where, ids: tuple[str, ...], i: int | None) -> None:
        target = self.ctx.client.target
        pid = target.pid_of(suspend.component)
        if pid is None:
            raise ScenarioError(
                f"suspend needs the local platform's {suspend.component} process; "
                f"target {target.name} has none"
            )
        try:
            os.killpg(pid, signal.SIGSTOP)
        except (ProcessLookupError, PermissionError) as exc:
            raise ScenarioError(f"cannot stop {suspend.component} (pid {pid}): {exc}") from exc
        try:
            await self.run(suspend.steps, (*where.path, "suspend", "steps"), ids, i)
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGCONT)
