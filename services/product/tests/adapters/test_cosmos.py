"""The Cosmos repository's stock holds: one conditional write each, safe to repeat."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from product_service.adapters.clients import open_clients
from product_service.adapters.cosmos import CosmosProductRepository
from product_service.domain.errors import AlreadyExistsError, NotFoundError, PreconditionFailedError
from product_service.domain.models import HoldOutcome, Product, ProductFields


@pytest.fixture
async def products(settings_for):
    clients = await open_clients(settings_for())
    yield CosmosProductRepository(clients.products)
    await clients.close()


def product(product_id: str, stock: int) -> Product:
    now = datetime.now(UTC)
    return Product(product_id, "Name", "", "kitchen", Decimal("1.00"), "USD", stock, 0, now, now)


async def test_take_hold_moves_stock_to_reserved_once_per_order(products):
    await products.create(product("a", 5))

    first, written = await products.take_hold("a", "o-1", 2)
    again, current = await products.take_hold("a", "o-1", 2)

    stored = await products.get("a")
    assert (first, again) == (HoldOutcome.TAKEN, HoldOutcome.ALREADY_HELD)
    assert (stored.stock, stored.reserved) == (3, 2)
    assert written == current == stored  # the document the hold's write returned, as stored


async def test_take_hold_refuses_to_go_below_zero(products):
    await products.create(product("a", 1))

    outcome, _ = await products.take_hold("a", "o-1", 2)

    assert outcome is HoldOutcome.SHORT
    assert (await products.get("a")).stock == 1


async def test_take_hold_on_missing_product_reports_missing(products):
    assert await products.take_hold("ghost", "o-1", 1) == (HoldOutcome.MISSING, None)


async def settle_a_hold_twice(products, settle):
    """Holds 2 of product "a" (stock 5) for "o-1", settles that hold twice with ``settle`` (release or
    commit), and returns both results and the product as stored afterwards."""
    await products.create(product("a", 5))
    await products.take_hold("a", "o-1", 2)

    results = [await settle("a", "o-1", 2), await settle("a", "o-1", 2)]

    return results, await products.get("a")


async def test_release_hold_returns_stock_once(products):
    results, stored = await settle_a_hold_twice(products, products.release_hold)

    assert results == [stored, None]
    assert (stored.stock, stored.reserved) == (5, 0)


async def test_commit_hold_removes_reserved_once(products):
    results, stored = await settle_a_hold_twice(products, products.commit_hold)

    assert results == [stored, None]
    assert (stored.stock, stored.reserved) == (3, 0)


async def test_update_keeps_holds_and_needs_current_version(products):
    created = await products.create(product("a", 5))
    await products.take_hold("a", "o-1", 2)
    fields = ProductFields("New", "", "kitchen", Decimal("2.00"), "USD", 7)

    with pytest.raises(PreconditionFailedError):
        await products.update("a", fields, datetime.now(UTC), created.version)
    current = await products.get("a")
    updated = await products.update("a", fields, datetime.now(UTC), current.version)

    assert (updated.name, updated.stock, updated.reserved) == ("New", 7, 2)
    assert await products.release_hold("a", "o-1", 2) is not None


async def test_every_write_to_a_product_increments_its_revision(products):
    created = await products.create(product("a", 5))
    _, held = await products.take_hold("a", "o-1", 2)
    fields = ProductFields("New", "", "kitchen", Decimal("2.00"), "USD", 7)
    updated = await products.update("a", fields, datetime.now(UTC), held.version)
    released = await products.release_hold("a", "o-1", 2)
    imaged = await products.set_image("a", None, datetime.now(UTC))

    revisions = [created.revision, held.revision, updated.revision, released.revision, imaged.revision]
    assert revisions == [0, 1, 2, 3, 4]
    assert (await products.get("a")).revision == 4


async def test_create_twice_is_already_exists(products):
    await products.create(product("a", 1))

    with pytest.raises(AlreadyExistsError):
        await products.create(product("a", 1))


async def test_delete_missing_is_not_found(products):
    with pytest.raises(NotFoundError):
        await products.delete("ghost", '"x"')
