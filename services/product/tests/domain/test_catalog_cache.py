"""The catalog's read cache on its own: how long answers live, how this process's writes are written
through (products, pages, categories), and that a read which overlapped a change never outlives it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from product_service.domain.catalog_cache import CatalogCache
from product_service.domain.models import CategorySummary, Page, Product, ProductFilter

EVERYTHING = ProductFilter()
IN_STOCK = ProductFilter(in_stock=True)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def product(product_id: str, stock: int = 5, revision: int = 0, name: str = "Mug") -> Product:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Product(
        product_id, name, "", "kitchen", Decimal("1.00"), "USD", stock, 0, now, now, revision=revision
    )


class Store:
    """Answers from a dict of products, counting the reads that reach it."""

    def __init__(self, *products: Product) -> None:
        self.products = {p.id: p for p in products}
        self.reads = 0

    async def get(self, product_id: str) -> Product | None:
        self.reads += 1
        return self.products.get(product_id)

    def page_of(self, product_filter: ProductFilter):
        async def load() -> Page[Product]:
            self.reads += 1
            items = sorted(self.products.values(), key=lambda p: p.name)
            if product_filter.in_stock:
                items = [p for p in items if p.stock > 0]
            return Page(items=items, next_cursor=None)

        return load

    async def categories(self) -> list[CategorySummary]:
        self.reads += 1
        return [CategorySummary("kitchen", len(self.products))]

    def write(self, changed: Product) -> Product:
        self.products[changed.id] = changed
        return changed


async def read(cache: CatalogCache, store: Store, product_id: str) -> Product | None:
    return (await cache.product(product_id, lambda: store.get(product_id))).value


async def listed(cache: CatalogCache, store: Store, product_filter: ProductFilter = EVERYTHING):
    key = product_filter.fingerprint()
    page = (await cache.page(product_filter, key, store.page_of(product_filter))).value
    return [(p.id, p.stock) for p in page.items]


async def test_answer_is_reused_until_its_time_runs_out():
    clock, store = Clock(), Store(product("a", stock=5))
    cache = CatalogCache(2.0, clock=clock)

    first = await read(cache, store, "a")
    store.write(product("a", stock=4, revision=1))  # another process
    clock.now += 1.9
    within = await read(cache, store, "a")
    clock.now += 0.2
    after = await read(cache, store, "a")

    assert [p.stock for p in (first, within, after)] == [5, 5, 4]
    assert store.reads == 2


async def test_stock_change_is_written_through_to_the_product_and_the_pages_holding_it():
    store = Store(product("a", stock=5), product("b", stock=3, name="Bowl"))
    cache = CatalogCache(60.0, clock=Clock())
    await read(cache, store, "a")
    await listed(cache, store)
    await listed(cache, store, IN_STOCK)
    reads = store.reads

    cache.stock_changed(store.write(product("a", stock=3, revision=1)), -2)

    assert (await read(cache, store, "a")).stock == 3
    assert await listed(cache, store) == [("b", 3), ("a", 3)]
    assert await listed(cache, store, IN_STOCK) == [("b", 3), ("a", 3)]
    assert store.reads == reads  # all answered from memory


async def test_stock_crossing_zero_drops_only_the_pages_filtered_on_stock():
    store = Store(product("a", stock=2), product("b", stock=3, name="Bowl"))
    cache = CatalogCache(60.0, clock=Clock())
    await listed(cache, store)
    await listed(cache, store, IN_STOCK)
    reads = store.reads

    cache.stock_changed(store.write(product("a", stock=0, revision=1)), -2)

    assert await listed(cache, store) == [("b", 3), ("a", 0)]
    assert store.reads == reads
    assert await listed(cache, store, IN_STOCK) == [("b", 3)]
    assert store.reads == reads + 1


async def test_an_older_answer_never_replaces_a_newer_one():
    store = Store(product("a", stock=5))
    cache = CatalogCache(60.0, clock=Clock())
    await listed(cache, store)
    newer, older = product("a", stock=1, revision=2), product("a", stock=3, revision=1)

    cache.stock_changed(newer, -2)
    cache.stock_changed(older, -2)  # its answer arrived last

    assert (await read(cache, store, "a")).stock == 1
    assert await listed(cache, store) == [("a", 1)]


async def test_product_read_that_overlapped_a_stock_change_keeps_the_newer_product():
    store = Store(product("a", stock=5))
    cache = CatalogCache(60.0, clock=Clock())
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_get() -> Product | None:
        value = store.products["a"]  # what the store held when the read reached it
        started.set()
        await release.wait()
        return value

    pending = asyncio.create_task(cache.product("a", slow_get))
    await started.wait()
    cache.stock_changed(store.write(product("a", stock=4, revision=1)), -1)
    release.set()

    assert (await pending).value.stock == 4
    assert (await read(cache, store, "a")).stock == 4


async def overlapped_page(cache: CatalogCache, store: Store, product_filter: ProductFilter, change):
    """A page read that reaches the store, then ``change()`` runs before its answer comes back."""
    started, release = asyncio.Event(), asyncio.Event()
    load = store.page_of(product_filter)

    async def slow_page() -> Page[Product]:
        page = await load()
        started.set()
        await release.wait()
        return page

    pending = asyncio.create_task(cache.page(product_filter, product_filter.fingerprint(), slow_page))
    await started.wait()
    change()
    release.set()
    return [(p.id, p.stock) for p in (await pending).value.items]


async def test_page_read_that_overlapped_a_stock_change_is_patched_and_kept():
    store = Store(product("a", stock=5))
    cache = CatalogCache(60.0, clock=Clock())

    answered = await overlapped_page(
        cache, store, IN_STOCK, lambda: cache.stock_changed(store.write(product("a", 4, 1)), -1)
    )
    reads = store.reads

    assert answered == [("a", 4)]
    assert await listed(cache, store, IN_STOCK) == [("a", 4)]
    assert store.reads == reads


async def test_page_read_that_overlapped_a_crossing_of_zero_is_answered_but_not_kept():
    store = Store(product("a", stock=1))
    cache = CatalogCache(60.0, clock=Clock())

    answered = await overlapped_page(
        cache, store, IN_STOCK, lambda: cache.stock_changed(store.write(product("a", 0, 1)), -1)
    )

    assert answered == [("a", 1)]
    assert await listed(cache, store, IN_STOCK) == []


async def test_admin_change_writes_the_product_through_and_drops_pages_and_categories():
    store = Store(product("a", stock=5))
    cache = CatalogCache(60.0, clock=Clock())
    await read(cache, store, "a")
    await listed(cache, store)
    await cache.categories(store.categories)
    renamed = store.write(replace(product("a", stock=5, revision=1), name="Cup"))
    store.write(product("b", name="Bowl"))
    reads = store.reads

    cache.catalog_changed("a", renamed)

    assert (await read(cache, store, "a")).name == "Cup"
    assert store.reads == reads
    assert await listed(cache, store) == [("b", 5), ("a", 5)]
    assert (await cache.categories(store.categories)).value == [CategorySummary("kitchen", 2)]


async def test_delete_outranks_a_read_that_started_before_it():
    store = Store(product("a", revision=7))
    cache = CatalogCache(60.0, clock=Clock())
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_get() -> Product | None:
        value = store.products.get("a")
        started.set()
        await release.wait()
        return value

    pending = asyncio.create_task(cache.product("a", slow_get))
    await started.wait()
    del store.products["a"]
    cache.catalog_changed("a", None)
    release.set()
    await pending

    assert await read(cache, store, "a") is None


async def test_page_read_that_overlapped_an_admin_change_is_not_kept():
    store = Store(product("a"))
    cache = CatalogCache(60.0, clock=Clock())

    def rename() -> None:
        cache.catalog_changed("a", store.write(replace(product("a", revision=1), name="Cup")))

    await overlapped_page(cache, store, EVERYTHING, rename)
    reads = store.reads

    assert [p.name for p in store.products.values()] == ["Cup"]
    assert await listed(cache, store) == [("a", 5)]
    assert store.reads == reads + 1


async def test_forget_all_drops_everything_and_spoils_reads_under_way():
    store = Store(product("a"))
    cache = CatalogCache(60.0, clock=Clock())
    await read(cache, store, "a")
    await cache.categories(store.categories)

    await overlapped_page(cache, store, EVERYTHING, cache.forget_all)
    reads = store.reads
    await read(cache, store, "a")
    await listed(cache, store)
    await cache.categories(store.categories)

    assert store.reads == reads + 3


async def test_errors_are_not_kept():
    cache = CatalogCache(60.0, clock=Clock())
    store = Store(product("a"))

    async def failing() -> Product | None:
        raise ConnectionError("store down")

    with pytest.raises(ConnectionError):
        await cache.product("a", failing)

    assert (await read(cache, store, "a")) is not None


async def test_zero_seconds_turns_it_off():
    store = Store(product("a"))
    cache = CatalogCache(0, clock=Clock())

    await read(cache, store, "a")
    cache.stock_changed(product("a", stock=1, revision=1), -4)
    await read(cache, store, "a")

    assert store.reads == 2


async def test_full_cache_drops_expired_entries_then_the_oldest():
    clock = Clock()
    store = Store(*(product(name) for name in ("old", "a", "b", "c")))
    cache = CatalogCache(10.0, max_entries=2, clock=clock)
    await read(cache, store, "old")
    clock.now += 11  # "old" has expired
    await read(cache, store, "a")
    await read(cache, store, "b")  # full: "old" goes, being expired
    await read(cache, store, "c")  # full of live ones: "a", the oldest, goes
    reads = store.reads

    await read(cache, store, "b")
    await read(cache, store, "c")
    await read(cache, store, "a")

    assert store.reads == reads + 1
