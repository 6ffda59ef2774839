"""A short-lived, in-process cache of the catalog's public reads: product by id, list pages, categories.

Most of the catalog's traffic is the same few reads over and over (the first catalog page, a category, a
product that a shopper and then the order service read within milliseconds), and each one a Cosmos DB
round trip. Answers are kept for ``ttl_seconds`` at most, and what this process changes is forgotten at
once:

* an administrator's write (create, replace, patch, delete, image) forgets everything;
* a stock hold taken, confirmed or returned forgets that product's own entry, so a product read by id
  shows this process's reservations immediately, while list pages and category counts may show stock up
  to ``ttl_seconds`` old (stock in the catalog is advisory: a reservation always decides on the stored
  stock).

Changes made by other processes (another replica, ``product-seed``) show after ``ttl_seconds`` at most.
Writes and reservations never read through this cache. A load that overlapped a forget is returned to its
caller but not kept, so a read that began before a change never outlives it. Cached values are shared:
callers must not mutate them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

T = TypeVar("T")


@dataclass(frozen=True)
class _Entry:
    value: Any
    expires: float


class CatalogCache:
    def __init__(
        self, ttl_seconds: float, *, max_entries: int = 4096, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: dict[Hashable, _Entry] = {}
        # Bumped by every forget: a load that saw another generation at its start is not kept.
        self._generation = 0

    async def product(self, product_id: str, load: Callable[[], Awaitable[T]]) -> T:
        return await self._read(("product", product_id), load)

    async def page(self, query: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        return await self._read(("page", query), load)

    async def categories(self, load: Callable[[], Awaitable[T]]) -> T:
        return await self._read(("categories",), load)

    def forget_product(self, product_id: str) -> None:
        self._generation += 1
        self._entries.pop(("product", product_id), None)

    def forget_all(self) -> None:
        self._generation += 1
        self._entries.clear()

    async def _read(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        if self._ttl <= 0:
            return await load()
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and entry.expires > now:
            return cast(T, entry.value)
        generation = self._generation
        value = await load()
        if generation == self._generation:
            self._keep(key, value, now + self._ttl)
        return value

    def _keep(self, key: Hashable, value: object, expires: float) -> None:
        self._entries.pop(key, None)
        if len(self._entries) >= self._max_entries:
            now = self._clock()
            self._entries = {k: e for k, e in self._entries.items() if e.expires > now}
            if len(self._entries) >= self._max_entries:
                # Still full of live entries: drop the oldest (dicts keep insertion order).
                del self._entries[next(iter(self._entries))]
        self._entries[key] = _Entry(value, expires)
