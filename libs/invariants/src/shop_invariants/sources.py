"""Reading the platform through its real interfaces: the order and product APIs, the payment ledger in
Table storage, the gateway simulator's state, the mailbox inbox, the order service's metrics and the
Service Bus emulator's admin API. No invariant logic here."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables.aio import TableClient

from shop_invariants.model import Email, GatewayCharge, LedgerRow, ObservedOrder, StockLevel

_OUTBOX_PENDING = re.compile(r"^order_outbox_pending_messages(?:\{[^}]*\})?\s+(\S+)$", re.MULTILINE)
_PARALLEL_READS = 8


class SourceError(Exception):
    """A source that could not be read (the message names it and the answer)."""


async def _get_json(http: httpx.AsyncClient, url: str, *, missing_ok: bool = False) -> Any:
    try:
        answer = await http.get(url)
    except httpx.HTTPError as exc:
        raise SourceError(f"GET {url}: {type(exc).__name__} {exc}".rstrip()) from exc
    if missing_ok and answer.status_code == 404:
        return None
    if answer.status_code != 200:
        raise SourceError(f"GET {url} answered {answer.status_code}")
    return answer.json()


async def orders(http: httpx.AsyncClient, base: str, ids: Iterable[str]) -> dict[str, ObservedOrder | None]:
    gate = asyncio.Semaphore(_PARALLEL_READS)

    async def one(order_id: str) -> tuple[str, ObservedOrder | None]:
        async with gate:
            raw = await _get_json(http, f"{base}/orders/{order_id}", missing_ok=True)
        if raw is None:
            return order_id, None
        total = Decimal(str(raw["total"]["value"]))
        return order_id, ObservedOrder(order_id, str(raw["status"]), raw.get("statusReason"), total)

    return dict(await asyncio.gather(*(one(order_id) for order_id in ids)))


async def stock(http: httpx.AsyncClient, base: str, product_ids: Iterable[str]) -> dict[str, StockLevel]:
    found: dict[str, StockLevel] = {}
    for product_id in product_ids:
        raw = await _get_json(http, f"{base}/products/{product_id}", missing_ok=True)
        if raw is not None:
            found[product_id] = StockLevel(int(raw["stock"]), int(raw["reserved"]))
    return found


async def emails(http: httpx.AsyncClient, base: str) -> list[Email]:
    raw = await _get_json(http, f"{base}/api/messages")
    return [Email(str(message.get("subject", ""))) for message in raw.get("messages") or []]


async def outbox_pending(http: httpx.AsyncClient, base: str) -> int:
    try:
        answer = await http.get(f"{base}/metrics")
    except httpx.HTTPError as exc:
        raise SourceError(f"GET {base}/metrics: {type(exc).__name__}") from exc
    match = _OUTBOX_PENDING.search(answer.text)
    if answer.status_code != 200 or match is None:
        raise SourceError(
            f"GET {base}/metrics: no order_outbox_pending_messages (status {answer.status_code})"
        )
    return int(float(match.group(1)))


async def dead_letters(http: httpx.AsyncClient, admin: str) -> dict[str, int]:
    """Dead-lettered messages per queue or subscription, keyed by its dead-letter queue's path."""
    raw = await _get_json(http, f"{admin}/entities")
    return {
        f"{entity['path']}/$DeadLetterQueue": int(entity["counts"]["dead_lettered"])
        for entity in raw["entities"]
        if "dead_lettered" in entity.get("counts", {})
    }


async def ledger(connection_string: str, table: str) -> list[LedgerRow]:
    rows: list[LedgerRow] = []
    async with TableClient.from_connection_string(connection_string, table_name=table) as client:
        try:
            async for entity in client.list_entities():
                rows.append(
                    LedgerRow(
                        order_id=str(entity["OrderId"]),
                        payment_id=str(entity["PaymentId"]),
                        state=str(entity["State"]),
                        succeeded=entity.get("Succeeded"),
                        amount=Decimal(str(entity["Amount"])),
                        refunded=entity.get("RefundId") is not None,
                    )
                )
        except ResourceNotFoundError:
            return []  # no payment yet: the table is created by the first one
    return rows


def gateway_charges(path: Path) -> list[GatewayCharge] | None:
    """The simulator's charges (read-only); None when the file is not there (a remote platform)."""
    if not path.exists():
        return None
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
        rows = db.execute("SELECT idempotency_key, approved FROM charges").fetchall()
    return [GatewayCharge(str(key), bool(approved)) for key, approved in rows]
