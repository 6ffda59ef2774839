"""Catalog reads answered from memory (PRODUCT_CATALOG_CACHE_SECONDS): this process's own writes and
reservations show at once; another replica's after the cache time at most. A second app on the same
database and blob container plays the other replica."""

from __future__ import annotations

import asyncio

from azure.storage.blob.aio import ContainerClient
from product_service.seed import png_tile


async def replica_of(start_api, api, **overrides):
    return await start_api(
        cosmos_database=api.settings.cosmos_database, blob_container=api.settings.blob_container, **overrides
    )


async def test_another_replicas_change_shows_after_the_cache_time(start_api):
    api = await start_api(catalog_cache_seconds=0.5)
    other = await replica_of(start_api, api)
    await api.create_product(id="a", price="10.00")
    await api.http.get("/products/a")

    changed = await other.http.patch("/products/a", json={"price": "11.00"}, headers=other.admin)
    soon = (await api.http.get("/products/a")).json()["price"]
    await asyncio.sleep(0.6)
    later = (await api.http.get("/products/a")).json()["price"]

    assert changed.status_code == 200
    assert (soon, later) == ("10.00", "11.00")


async def test_writes_through_this_process_show_at_once_in_every_read(start_api):
    api = await start_api(catalog_cache_seconds=60)
    await api.create_product(id="a", category="kitchen", price="10.00")
    before = [
        (await api.http.get(path)).json() for path in ("/products/a", "/products?limit=10", "/categories")
    ]

    await api.http.patch("/products/a", json={"price": "11.00"}, headers=api.admin)
    await api.create_product(id="b", category="garden")
    product = (await api.http.get("/products/a")).json()
    listed = (await api.http.get("/products?limit=10")).json()["items"]
    categories = (await api.http.get("/categories")).json()

    assert before[0]["price"] == "10.00"
    assert [p["id"] for p in before[1]["items"]] == ["a"]
    assert product["price"] == "11.00"
    assert [(p["id"], p["price"]) for p in listed] == [("a", "11.00"), ("b", "12.50")]
    assert categories == [{"name": "garden", "productCount": 1}, {"name": "kitchen", "productCount": 1}]


async def test_admin_write_checks_if_match_against_the_stored_version_not_the_cached_one(start_api):
    api = await start_api(catalog_cache_seconds=60)
    other = await replica_of(start_api, api)
    await api.create_product(id="a")
    await api.http.get("/products/a")  # cached here
    changed = await other.http.patch("/products/a", json={"stock": 3}, headers=other.admin)
    current_etag = changed.headers["etag"]

    written = await api.http.patch(
        "/products/a", json={"stock": 4}, headers={**api.admin, "If-Match": current_etag}
    )

    assert written.status_code == 200, written.text
    assert written.json()["stock"] == 4


async def test_reservations_through_this_process_show_at_once_in_the_product(start_api):
    api = await start_api(catalog_cache_seconds=60)
    await api.create_product(id="a", stock=5)
    assert await api.stock_of("a") == (5, 0)

    await api.http.post(
        "/reservations", json={"orderId": "o-1", "items": [{"productId": "a", "quantity": 2}]}
    )
    held = await api.stock_of("a")
    await api.http.post("/reservations/o-1/confirm")
    sold = await api.stock_of("a")

    assert (held, sold) == ((3, 2), (3, 0))


async def listed_stock(api, query: str) -> list[tuple[str, int, int]]:
    """Every product of the list ``query`` (following its cursors) as (id, stock, reserved)."""
    found: list[tuple[str, int, int]] = []
    cursor = None
    while True:
        page = (await api.http.get(f"/products?{query}" + (f"&cursor={cursor}" if cursor else ""))).json()
        found += [(p["id"], p["stock"], p["reserved"]) for p in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            return found


async def test_reservations_through_this_process_show_at_once_in_every_list_page(start_api):
    api = await start_api(catalog_cache_seconds=60)
    for product_id, name in (("a", "Apple mug"), ("b", "Blue mug"), ("c", "Cup")):
        await api.create_product(id=product_id, name=name, description=name, stock=2)
    queries = ["limit=2", "inStock=true&limit=2", "q=mug&limit=1", "category=kitchen&inStock=false"]
    before = [await listed_stock(api, query) for query in queries]

    async def reserve(order_id: str, quantity: int) -> None:
        body = {"orderId": order_id, "items": [{"productId": "b", "quantity": quantity}]}
        assert (await api.http.post("/reservations", json=body)).status_code == 201

    await reserve("o-1", 1)
    held = [await listed_stock(api, query) for query in queries]
    await reserve("o-2", 1)  # "b" sells out: it leaves inStock=true and joins inStock=false
    sold_out = [await listed_stock(api, query) for query in queries]
    await api.http.post("/reservations/o-1/confirm")
    await api.http.post("/reservations/o-2/release")
    settled = [await listed_stock(api, query) for query in queries]

    everything = [("a", 2, 0), ("b", 2, 0), ("c", 2, 0)]
    assert before == [everything, everything, everything[:2], []]
    assert held == [[("a", 2, 0), ("b", 1, 1), ("c", 2, 0)]] * 2 + [[("a", 2, 0), ("b", 1, 1)], []]
    assert sold_out == [
        [("a", 2, 0), ("b", 0, 2), ("c", 2, 0)],
        [("a", 2, 0), ("c", 2, 0)],
        [("a", 2, 0), ("b", 0, 2)],
        [("b", 0, 2)],
    ]
    assert settled == [[("a", 2, 0), ("b", 1, 0), ("c", 2, 0)]] * 2 + [[("a", 2, 0), ("b", 1, 0)], []]
    assert await api.stock_of("b") == (1, 0)


async def test_cached_answers_are_the_same_json_as_fresh_ones(start_api):
    cached = await start_api(catalog_cache_seconds=60)
    fresh = await replica_of(start_api, cached, catalog_cache_seconds=0)
    await cached.create_product(id="a", price="10.50")
    paths = ["/products/a", "/products?limit=5", "/categories"]
    for path in paths:
        await cached.http.get(path)  # now in memory

    answers = [(await cached.http.get(path), await fresh.http.get(path)) for path in paths]

    for from_memory, from_store in answers:
        assert from_memory.content == from_store.content
        assert from_memory.headers["content-type"] == from_store.headers["content-type"] == "application/json"
        assert from_memory.headers.get("etag") == from_store.headers.get("etag")


async def test_image_is_served_from_memory_until_its_product_says_otherwise(start_api):
    api = await start_api(catalog_cache_seconds=60)
    await api.create_product(id="a")
    first, second = png_tile((1, 2, 3), "one"), png_tile((4, 5, 6), "two")
    admin_png = {**api.admin, "Content-Type": "image/png"}
    await api.http.put("/products/a/image", content=first, headers=admin_png)
    served = await api.http.get("/products/a/image")
    async with ContainerClient.from_connection_string(
        api.settings.blob_connection_string.get_secret_value(), api.settings.blob_container
    ) as container:
        await container.delete_blob("products/a")  # behind the service's back

    from_memory = await api.http.get("/products/a/image")
    await api.http.put("/products/a/image", content=second, headers=admin_png)
    replaced = await api.http.get("/products/a/image")
    not_modified = await api.http.get(
        "/products/a/image", headers={"If-None-Match": replaced.headers["etag"]}
    )

    assert (served.content, from_memory.content, replaced.content) == (first, first, second)
    assert from_memory.headers["etag"] == served.headers["etag"] != replaced.headers["etag"]
    assert from_memory.headers["content-length"] == str(len(first))
    assert not_modified.status_code == 304
