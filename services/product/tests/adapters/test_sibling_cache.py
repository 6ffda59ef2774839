"""Two workers' catalog caches sharing their changes over real Unix datagram sockets in one directory."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from product_service.adapters.sibling_cache import SharedCatalogCache, SiblingNotices
from product_service.domain.models import ImageInfo, Product

STAMP = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def product(stock: int, revision: int, price: str = "9.50") -> Product:
    return Product(
        id="mug",
        name="Mug",
        description="A mug.",
        category="kitchen",
        price=Decimal(price),
        currency="USD",
        stock=stock,
        reserved=10 - stock,
        created_at=STAMP,
        updated_at=STAMP,
        image=ImageInfo("image/png", 120, '"img-1"'),
        version=f'"v{revision}"',
        revision=revision,
    )


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[SharedCatalogCache, SharedCatalogCache]]:
    one = SharedCatalogCache(60, SiblingNotices(tmp_path, "one"))
    two = SharedCatalogCache(60, SiblingNotices(tmp_path, "two"))
    yield one, two
    one.close()
    two.close()


async def cached(cache: SharedCatalogCache) -> Product | None:
    """What the cache answers for the product, failing if it would have to load it."""

    async def unexpected_load() -> Product | None:
        raise AssertionError("the product should have been cached")

    snapshot = await cache.product("mug", unexpected_load)
    return snapshot.value


async def settle() -> None:
    for _ in range(5):  # the datagram is queued already; a few loop turns read it
        await asyncio.sleep(0.01)


async def test_a_stock_change_in_one_worker_shows_in_the_other_as_it_was_written(workers) -> None:
    one, two = workers
    one.listen()
    two.listen()
    held = product(stock=8, revision=3)

    one.stock_changed(held, -2)
    await settle()

    assert await cached(two) == held  # every field, the image and the version included


async def test_a_late_notice_does_not_undo_a_newer_change(workers) -> None:
    one, two = workers
    two.listen()
    newer = product(stock=6, revision=5)
    two.stock_changed(newer, -2)

    one.stock_changed(product(stock=8, revision=4), -2)
    await settle()

    assert await cached(two) == newer


async def test_an_administrators_write_and_a_delete_reach_the_other_worker(workers) -> None:
    one, two = workers
    two.listen()
    two.stock_changed(product(stock=8, revision=3), 0)

    one.catalog_changed("mug", product(stock=8, revision=4, price="12.00"))
    await settle()
    repriced = await cached(two)
    one.catalog_changed("mug", None)
    await settle()

    assert repriced is not None
    assert repriced.price == Decimal("12.00")
    assert await cached(two) is None  # the tombstone: deleted, without a load


async def test_a_notice_applied_is_not_passed_on_and_a_bad_one_is_skipped(workers, tmp_path) -> None:
    one, two = workers
    one.listen()
    two.listen()
    listener = SiblingNotices(tmp_path, "three")
    stranger = SiblingNotices(tmp_path, "stranger")
    heard: list[bytes] = []
    listener.listen(heard.append)
    try:
        stranger.publish(b"not json")
        one.stock_changed(product(stock=8, revision=3), -2)
        await settle()
    finally:
        listener.close()
        stranger.close()

    assert len(heard) == 2  # the stranger's and one's own, none echoed by two
    assert await cached(two) == product(stock=8, revision=3)  # two read on after the bad notice
