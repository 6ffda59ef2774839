"""The catalog's read cache on its own: how long answers live, what forgets them, and that a read which
overlapped a change is not kept."""

from __future__ import annotations

import asyncio

import pytest
from product_service.domain.catalog_cache import CatalogCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Store:
    """Answers with a version number that changes only when told, counting the reads that reach it."""

    def __init__(self) -> None:
        self.version = 1
        self.reads = 0

    async def read(self) -> int:
        self.reads += 1
        return self.version


async def test_answer_is_reused_until_its_time_runs_out():
    clock, store = Clock(), Store()
    cache = CatalogCache(2.0, clock=clock)

    first = await cache.product("a", store.read)
    store.version = 2
    clock.now += 1.9
    within = await cache.product("a", store.read)
    clock.now += 0.2
    after = await cache.product("a", store.read)

    assert (first, within, after) == (1, 1, 2)
    assert store.reads == 2


async def test_products_pages_and_categories_are_kept_apart():
    cache = CatalogCache(5.0, clock=Clock())

    async def answer(value: str) -> str:
        return value

    assert await cache.product("x", lambda: answer("product")) == "product"
    assert await cache.page("x", lambda: answer("page")) == "page"
    assert await cache.categories(lambda: answer("categories")) == "categories"
    assert await cache.page("y", lambda: answer("other page")) == "other page"


async def test_forget_product_drops_that_product_only():
    store_a, store_b = Store(), Store()
    cache = CatalogCache(60.0, clock=Clock())
    await cache.product("a", store_a.read)
    await cache.product("b", store_b.read)
    await cache.page("all", store_a.read)
    store_a.version = store_b.version = 2

    cache.forget_product("a")

    assert await cache.product("a", store_a.read) == 2
    assert await cache.product("b", store_b.read) == 1
    assert await cache.page("all", store_a.read) == 1


async def test_forget_all_drops_everything():
    store = Store()
    cache = CatalogCache(60.0, clock=Clock())
    await cache.product("a", store.read)
    await cache.page("all", store.read)
    await cache.categories(store.read)
    store.version = 2

    cache.forget_all()

    assert [await cache.product("a", store.read), await cache.page("all", store.read)] == [2, 2]
    assert await cache.categories(store.read) == 2


async def test_read_that_overlapped_a_change_is_answered_but_not_kept():
    cache = CatalogCache(60.0, clock=Clock())
    store = Store()
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_read() -> int:
        value = store.version  # what the store held when the read reached it
        started.set()
        await release.wait()
        return value

    pending = asyncio.create_task(cache.product("a", slow_read))
    await started.wait()
    store.version = 2
    cache.forget_product("a")  # the change lands while the read is on its way back
    release.set()

    assert await pending == 1
    assert await cache.product("a", store.read) == 2


async def test_errors_are_not_kept():
    cache = CatalogCache(60.0, clock=Clock())
    store = Store()

    async def failing() -> int:
        raise ConnectionError("store down")

    with pytest.raises(ConnectionError):
        await cache.product("a", failing)

    assert await cache.product("a", store.read) == 1


async def test_zero_seconds_turns_it_off():
    store = Store()
    cache = CatalogCache(0, clock=Clock())

    await cache.product("a", store.read)
    await cache.product("a", store.read)

    assert store.reads == 2


async def test_full_cache_drops_expired_entries_then_the_oldest():
    clock, store = Clock(), Store()
    cache = CatalogCache(10.0, max_entries=2, clock=clock)
    await cache.product("old", store.read)
    clock.now += 11  # "old" has expired
    await cache.product("a", store.read)
    await cache.product("b", store.read)  # full: "old" goes, being expired
    await cache.product("c", store.read)  # full of live ones: "a", the oldest, goes
    reads = store.reads

    await cache.product("b", store.read)
    await cache.product("c", store.read)
    await cache.product("a", store.read)

    assert store.reads == reads + 1
