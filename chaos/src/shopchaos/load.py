"""A small seeded background order stream, so an experiment's faults land while orders are in every saga
state. It places orders at a fixed rate through the order API (as the storefront does, with an
Idempotency-Key, retrying the same key while the service does not answer), follows each accepted order
until it is terminal, and hands the invariant checker what it accepted and the stock it started from.

Actions: `start_orders`, `stop_orders`; `in_flight()` is read by the report when a fault is applied."""

from __future__ import annotations

import asyncio
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from shop_invariants import AcceptedOrder, Expectations, StockLevel
from shop_invariants.model import TERMINAL_STATUSES

from shopchaos import runlog
from shopchaos.platform import ChaosError, LocalPlatform, dead_letter_counts

__all__ = ["start_orders", "stop_orders", "wait_for_accepted"]

SUCCESS_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
_RETRY_FOR_SECONDS = 90.0
_MIN_STOCK = 30


@dataclass
class _Stream:
    order_url: str
    product_url: str
    rng: random.Random
    rate: float
    max_orders: int
    decline_every: int
    products: list[str]
    stock_before: dict[str, StockLevel]
    dead_letters_before: dict[str, int]
    accepted: list[AcceptedOrder] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    refused: Counter[str] = field(default_factory=Counter)
    posting: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    run_id: uuid.UUID = field(default_factory=uuid.uuid4)
    thread: threading.Thread | None = None

    def in_flight(self) -> int:
        return self.posting + sum(1 for s in self.status.values() if s not in TERMINAL_STATUSES)

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            placing: list[asyncio.Task[None]] = []
            follower = asyncio.create_task(self._follow(http))
            for n in range(self.max_orders):
                if self.stop.is_set():
                    break
                placing.append(asyncio.create_task(self._place(http, n, self._order(n))))
                await asyncio.sleep(1 / self.rate)
            await asyncio.gather(*placing)
            follower.cancel()

    def _order(self, n: int) -> dict[str, Any]:
        chosen = self.rng.sample(self.products, k=self.rng.choice((1, 1, 2)))
        card = (
            DECLINED_CARD
            if self.decline_every and n % self.decline_every == self.decline_every - 1
            else SUCCESS_CARD
        )
        return {
            # The choices follow the seed; the key is unique per run, or a second run with the same seed
            # would replay the first run's keys with other bodies (422 idempotency-key-reused).
            "key": str(uuid.uuid5(self.run_id, str(n))),
            "body": {
                "customer": {
                    "email": f"chaos-{n}-{self.rng.getrandbits(32):08x}@example.com",
                    "name": "Chaos Driver",
                },
                "items": [{"productId": p, "quantity": self.rng.randint(1, 2)} for p in chosen],
                "paymentMethod": {"type": "card", "token": card},
            },
        }

    async def _place(self, http: httpx.AsyncClient, n: int, order: dict[str, Any]) -> None:
        """POST until the service answers; a lost answer is retried with the same key (a replay)."""
        self.posting += 1
        deadline = time.monotonic() + _RETRY_FOR_SECONDS
        try:
            while True:
                try:
                    answer = await http.post(
                        f"{self.order_url}/orders",
                        json=order["body"],
                        headers={"Idempotency-Key": order["key"]},
                    )
                except httpx.HTTPError:
                    answer = None
                if answer is not None and answer.status_code in (200, 201):
                    placed = answer.json()
                    self.accepted.append(AcceptedOrder.from_api(placed))
                    self.status[str(placed["id"])] = str(placed["status"])
                    return
                if answer is not None and answer.status_code < 500 and answer.status_code != 429:
                    self.refused[str(answer.status_code)] += 1
                    return
                if time.monotonic() > deadline:
                    self.refused["gave-up"] += 1
                    return
                await asyncio.sleep(1.0)
        finally:
            self.posting -= 1

    async def _follow(self, http: httpx.AsyncClient) -> None:
        """Poll accepted orders that are not terminal yet, so `in_flight()` is current."""
        while True:
            open_ids = [order_id for order_id, s in list(self.status.items()) if s not in TERMINAL_STATUSES]
            for order_id in open_ids:
                try:
                    answer = await http.get(f"{self.order_url}/orders/{order_id}")
                    if answer.status_code == 200:
                        self.status[order_id] = str(answer.json()["status"])
                except httpx.HTTPError:
                    break
            await asyncio.sleep(0.5)

    def expectations(self, dead_letters_meant: dict[str, int], within: float) -> Expectations:
        allowed = {path: self.dead_letters_before.get(path, 0) + n for path, n in dead_letters_meant.items()}
        for path, n in self.dead_letters_before.items():
            allowed.setdefault(path, n)
        return Expectations(tuple(self.accepted), dict(self.stock_before), allowed, within)

    def summary(self) -> dict[str, Any]:
        return {
            "accepted": len(self.accepted),
            "refused": dict(self.refused),
            "statuses": dict(Counter(self.status.values())),
            "in_flight": self.in_flight(),
        }


_stream: _Stream | None = None
_last: _Stream | None = None


def _in_stock_products(product_url: str, rng: random.Random, how_many: int) -> dict[str, StockLevel]:
    answer = httpx.get(f"{product_url}/products", params={"inStock": "true", "limit": 100}, timeout=10)
    if answer.status_code != 200:
        raise ChaosError(f"GET {product_url}/products answered {answer.status_code}")
    items = [p for p in answer.json()["items"] if p["stock"] >= _MIN_STOCK]
    if len(items) < how_many:
        raise ChaosError(
            f"only {len(items)} products have {_MIN_STOCK}+ units; restock or re-seed the catalog"
        )
    chosen = rng.sample(sorted(items, key=lambda p: str(p["id"])), k=how_many)
    return {str(p["id"]): StockLevel(int(p["stock"]), int(p["reserved"])) for p in chosen}


def start_orders(
    seed: int = 1,
    rate_per_second: float = 3.0,
    max_orders: int = 60,
    decline_every: int = 5,
    products: int = 6,
) -> dict[str, Any]:
    """Start placing `max_orders` orders at `rate_per_second` (every `decline_every`-th with a declined card)
    across `products` in-stock products, all chosen by `seed`."""
    global _stream, _last
    if _stream is not None:
        raise ChaosError("an order stream is already running; stop it first (stop_orders)")
    platform = LocalPlatform.current()
    rng = random.Random(seed)
    product_url = platform.url("product")
    stock = _in_stock_products(product_url, rng, products)
    stream = _Stream(
        order_url=platform.url("order"),
        product_url=product_url,
        rng=rng,
        rate=rate_per_second,
        max_orders=max_orders,
        decline_every=decline_every,
        products=list(stock),
        stock_before=stock,
        dead_letters_before=dead_letter_counts(),
    )
    stream.thread = threading.Thread(
        target=lambda: asyncio.run(stream.run()), name="chaos-orders", daemon=True
    )
    stream.thread.start()
    _stream = _last = stream
    runlog.count_in_flight_with(in_flight)
    return {
        "seed": seed,
        "rate_per_second": rate_per_second,
        "max_orders": max_orders,
        "products": list(stock),
    }


def stop_orders(wait_seconds: float = 120.0) -> dict[str, Any]:
    """Stop placing new orders and wait for the ones being placed; returns what was accepted and refused."""
    global _stream
    stream = _stream
    if stream is None:
        return {"accepted": 0, "running": False}
    stream.stop.set()
    if stream.thread is not None:
        stream.thread.join(wait_seconds)
    _stream = None
    return stream.summary()


def wait_for_accepted(count: int, timeout: float = 60.0) -> dict[str, Any]:
    """Wait until the stream has `count` accepted orders (so a fault lands mid-flow)."""
    deadline = time.monotonic() + timeout
    while _stream is not None and len(_stream.accepted) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    if _stream is None or len(_stream.accepted) < count:
        summary = _stream.summary() if _stream is not None else {"running": False}
        raise ChaosError(
            f"the order stream did not reach {count} accepted orders within {timeout:g} s: {summary}"
        )
    return _stream.summary()


def in_flight() -> int:
    return _stream.in_flight() if _stream is not None else 0


def expectations(dead_letters_meant: dict[str, int], within: float) -> Expectations | None:
    """What the last stream (running or stopped) accepted, for the invariant checker; None if none ran."""
    return _last.expectations(dead_letters_meant, within) if _last is not None else None


def forget() -> None:
    """A new experiment starts with no stream behind it."""
    global _last
    _last = None
