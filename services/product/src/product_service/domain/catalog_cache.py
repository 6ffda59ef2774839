"""A short-lived, in-process cache of the catalog's public reads: product by id, list pages, categories.

Most of the catalog's traffic is the same few reads over and over (the first catalog page, a category, the
products shoppers keep buying, read by the shopper and then re-priced by the order service). Answers are
kept for ``ttl_seconds`` at most, and every change made through this process shows at once in every read
it serves:

* a stock hold taken, confirmed or returned is written through: the product's entry becomes the document
  the write returned, and cached pages holding the product get it too, except that pages filtered on
  ``inStock`` are dropped when the stock crossed zero (their membership changed);
* an administrator's write puts the document it returned in the product's entry (a delete leaves a
  tombstone) and drops every page and the categories (writes are rare, and a name, price or category
  change can move a product between pages);
* a change whose outcome is unknown (the store failed mid-write) forgets everything.

Stock changes are ordered by the product's ``revision`` (incremented by every write to it), so a write's
answer that arrives after a newer one, or a read that started before a write and ends after it, never
replaces a newer product. A page or categories read that overlapped a change is patched the same way or,
if the change could alter what it lists, returned to its caller but not kept.

Changes made by other processes (another replica, ``product-seed``, a Cosmos DB server restarted and
reseeded) show after ``ttl_seconds`` at most. Writes and reservations never read through this cache.

Each answer is a `Snapshot`: the value, shared and never to be mutated, and what callers derived from it
(such as its serialised form), kept with it until the entry is replaced.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from product_service.domain.models import CategorySummary, Page, Product, ProductFilter

T = TypeVar("T")
R = TypeVar("R")

# A deleted product's entry outranks any answer read before the delete.
_DELETED = math.inf
_CATEGORIES = ("categories",)
# The key of a cached page's product ids among what its snapshot derives.
_LISTED_IDS = ("listed-ids",)


class Snapshot(Generic[T]):
    """A cached value and what was derived from it, computed once per cached value."""

    __slots__ = ("_derived", "value")

    def __init__(self, value: T) -> None:
        self.value = value
        self._derived: dict[Hashable, Any] = {}

    def derived(self, key: Hashable, make: Callable[[T], R]) -> R:
        if key not in self._derived:
            self._derived[key] = make(self.value)
        result: R = self._derived[key]
        return result


@dataclass
class _Entry:
    snapshot: Snapshot[Any]
    expires: float
    # Products: the stored revision (``_DELETED`` for a tombstone). Pages: the filter they list.
    revision: float = 0
    product_filter: ProductFilter | None = None


@dataclass
class _PendingLoad:
    """A read on its way from the store: the stock changes it may have missed, or that it must not be kept."""

    spoiled: bool = False
    stock_changes: list[tuple[Product, bool]] = field(default_factory=list)


def _revision(product: Product | None) -> float:
    return -1 if product is None else product.revision


class CatalogCache:
    def __init__(
        self, ttl_seconds: float, *, max_entries: int = 4096, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        # Products by id; pages (by filter, size and cursor) and the categories apart, so that a stock
        # change visits the pages only.
        self._products: dict[Hashable, _Entry] = {}
        self._lists: dict[Hashable, _Entry] = {}
        self._loads: dict[int, _PendingLoad] = {}

    @property
    def enabled(self) -> bool:
        return self._ttl > 0

    async def product(
        self, product_id: str, load: Callable[[], Awaitable[Product | None]]
    ) -> Snapshot[Product | None]:
        cached = self._live(self._products, product_id)
        if cached is not None:
            return cached.snapshot
        value, pending = await self._load(load)
        snapshot = Snapshot(value)
        if pending is not None and not pending.spoiled:
            current = self._live(self._products, product_id)
            if current is not None and (value is None or current.revision >= value.revision):
                return current.snapshot  # a write through this process landed meanwhile: it is newer
            entry = _Entry(snapshot, self._clock() + self._ttl, revision=_revision(value))
            self._keep(self._products, product_id, entry)
        return snapshot

    async def page(
        self, product_filter: ProductFilter, key: Hashable, load: Callable[[], Awaitable[Page[Product]]]
    ) -> Snapshot[Page[Product]]:
        cached = self._live(self._lists, key)
        if cached is not None:
            return cached.snapshot
        page, pending = await self._load(load)
        if pending is None or pending.spoiled:
            return Snapshot(page)
        for product, crossed_zero in pending.stock_changes:
            patched = _patched(page, product_filter, product, crossed_zero)
            if patched is None:
                return Snapshot(page)  # what the page lists may have changed: answered, not kept
            page = patched
        snapshot = Snapshot(page)
        entry = _Entry(snapshot, self._clock() + self._ttl, product_filter=product_filter)
        self._keep(self._lists, key, entry)
        return snapshot

    async def categories(
        self, load: Callable[[], Awaitable[list[CategorySummary]]]
    ) -> Snapshot[list[CategorySummary]]:
        cached = self._live(self._lists, _CATEGORIES)
        if cached is not None:
            return cached.snapshot
        value, pending = await self._load(load)
        snapshot = Snapshot(value)
        if pending is not None and not pending.spoiled:
            self._keep(self._lists, _CATEGORIES, _Entry(snapshot, self._clock() + self._ttl))
        return snapshot

    def stock_changed(self, product: Product, stock_delta: int) -> None:
        """A stock write through this process returned ``product``; its stock moved by ``stock_delta``."""
        if not self.enabled:
            return
        crossed_zero = (product.stock - stock_delta > 0) != (product.stock > 0)
        for load in self._loads.values():
            load.stock_changes.append((product, crossed_zero))
        current = self._products.get(product.id)
        if current is None or current.revision < product.revision:
            entry = _Entry(Snapshot(product), self._clock() + self._ttl, revision=product.revision)
            self._keep(self._products, product.id, entry)
        now = self._clock()
        for key, listing in list(self._lists.items()):
            if listing.expires <= now:
                # Served by no read any more (the next one loads it again): dropped rather than patched,
                # so that every stock change visits only the pages a read may still be answered from.
                del self._lists[key]
                continue
            if listing.product_filter is None:
                continue  # the categories: a stock change does not move a product between them
            may_move = crossed_zero and listing.product_filter.in_stock is not None
            if not may_move and product.id not in listing.snapshot.derived(_LISTED_IDS, _listed_ids):
                continue  # neither listed nor possibly joining or leaving the page
            patched = _patched(listing.snapshot.value, listing.product_filter, product, crossed_zero)
            if patched is None:
                del self._lists[key]
            elif patched is not listing.snapshot.value:
                listing.snapshot = Snapshot(patched)

    def catalog_changed(self, product_id: str, product: Product | None) -> None:
        """An administrator's write through this process: ``product`` as it returned it, None when deleted."""
        if not self.enabled:
            return
        for load in self._loads.values():
            load.spoiled = True
        self._lists.clear()
        revision = _DELETED if product is None else product.revision
        self._keep(self._products, product_id, _Entry(Snapshot(product), self._clock() + self._ttl, revision))

    def forget_all(self) -> None:
        for load in self._loads.values():
            load.spoiled = True
        self._products.clear()
        self._lists.clear()

    def _live(self, table: dict[Hashable, _Entry], key: Hashable) -> _Entry | None:
        entry = table.get(key)
        if entry is None or entry.expires <= self._clock():
            return None
        return entry

    async def _load(self, load: Callable[[], Awaitable[T]]) -> tuple[T, _PendingLoad | None]:
        """The store's answer, and (with the cache on) what happened meanwhile."""
        if not self.enabled:
            return await load(), None
        pending = _PendingLoad()
        token = id(pending)
        self._loads[token] = pending
        try:
            return await load(), pending
        finally:
            del self._loads[token]

    def _keep(self, table: dict[Hashable, _Entry], key: Hashable, entry: _Entry) -> None:
        table.pop(key, None)
        if len(table) >= self._max_entries:
            now = self._clock()
            for stale in [k for k, e in table.items() if e.expires <= now]:
                del table[stale]
            if len(table) >= self._max_entries:
                # Still full of live entries: drop the oldest (dicts keep insertion order).
                del table[next(iter(table))]
        table[key] = entry


def _listed_ids(page: Page[Product]) -> frozenset[str]:
    return frozenset(item.id for item in page.items)


def _patched(
    page: Page[Product], product_filter: ProductFilter, product: Product, crossed_zero: bool
) -> Page[Product] | None:
    """``page`` after a stock change of ``product``: the same page when it does not list the product or
    already lists it at this revision or a newer one, a new page listing the newer product, or None when
    the page's membership may have changed (a page filtered on stock, and the stock crossed zero)."""
    if crossed_zero and product_filter.in_stock is not None:
        return None
    for index, item in enumerate(page.items):
        if item.id == product.id:
            if item.revision >= product.revision:
                return page
            items = [*page.items[:index], product, *page.items[index + 1 :]]
            return replace(page, items=items)
    return page
