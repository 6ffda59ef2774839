"""Observe the platform once, check every invariant, and wait until they hold (or a bound passes)."""

from __future__ import annotations

import asyncio
import time

import httpx
from azure.core.exceptions import AzureError

from shop_invariants import sources
from shop_invariants.checks import ALL_CHECKS
from shop_invariants.endpoints import Endpoints
from shop_invariants.model import Expectations, InvariantReport, InvariantResult, Observation


async def observe(endpoints: Endpoints, expectations: Expectations, http: httpx.AsyncClient) -> Observation:
    ids = [order.id for order in expectations.accepted]
    orders, stock, emails, dead, ledger = await asyncio.gather(
        sources.orders(http, endpoints.order, ids),
        sources.stock(http, endpoints.product, expectations.product_ids()),
        sources.emails(http, endpoints.mailbox),
        sources.dead_letters(http, endpoints.servicebus_admin),
        sources.ledger(endpoints.ledger_connection_string, endpoints.ledger_table),
    )
    try:
        pending: int | None = await sources.outbox_pending(http, endpoints.order)
    except sources.SourceError:
        pending = None
    gateway = sources.gateway_charges(endpoints.gateway_state) if endpoints.gateway_state else None
    return Observation(orders, ledger, gateway, stock, emails, pending, dead)


def check(expectations: Expectations, observation: Observation) -> tuple[InvariantResult, ...]:
    return tuple(invariant(expectations, observation) for invariant in ALL_CHECKS)


async def check_once(endpoints: Endpoints, expectations: Expectations) -> InvariantReport:
    async with httpx.AsyncClient(timeout=10) as http:
        results = check(expectations, await observe(endpoints, expectations, http))
    holds = all(result.holds for result in results)
    return InvariantReport(results, 0.0 if holds else None, 0.0)


async def settle(
    endpoints: Endpoints, expectations: Expectations, within: float, poll: float = 1.0
) -> InvariantReport:
    """Check until every invariant holds or `within` seconds pass; the report says how long it took.

    A source that cannot be read (a component still restarting) counts as not settled yet; if it is still
    unreadable at the end, the error is reported as a broken invariant named `sources-readable`."""
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=10) as http:
        while True:
            elapsed = time.monotonic() - started
            try:
                observation = await observe(endpoints, expectations, http)
                observation.elapsed = elapsed
                results = check(expectations, observation)
            except (sources.SourceError, OSError, httpx.HTTPError, AzureError) as exc:
                problem = f"{type(exc).__name__}: {exc}".splitlines()[0]
                results = (InvariantResult("sources-readable", False, {"unreadable": 1}, (problem,)),)
            if all(result.holds for result in results):
                return InvariantReport(results, round(elapsed, 2), elapsed)
            if elapsed >= within:
                return InvariantReport(results, None, elapsed)
            await asyncio.sleep(poll)
