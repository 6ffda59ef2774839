"""What the users need to know about the catalog, read once per Locust process before users start."""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

from shoploads import mix
from shoploads.settings import ShopUrls


@dataclass(frozen=True)
class Catalog:
    product_ids: list[str]
    categories: list[str]
    basket: list[str]  # what shoppers buy


def read_catalog(urls: ShopUrls, seed: int, top_up: bool) -> Catalog:
    """The catalog; with `top_up` (one process per run) also sets the basket's stock when a token is given."""
    stock: dict[str, int] = {}
    with httpx.Client(base_url=urls.product, timeout=10) as client:
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            page = client.get("/products", params=params)
            page.raise_for_status()
            body = page.json()
            items = body["items"]
            stock.update((p["id"], int(p["stock"])) for p in items)
            cursor = body.get("nextCursor")
            if not cursor:
                break
        categories = [c["name"] for c in client.get("/categories").raise_for_status().json()]
        ids = list(stock)
        in_stock = [pid for pid, units in stock.items() if units > 0]
        if urls.admin_token:
            basket = random.Random(seed).sample(ids, k=min(mix.BASKET_PRODUCTS, len(ids)))
            if top_up:
                low = [pid for pid in basket if stock[pid] < mix.TOPPED_UP_STOCK // 2]
                _top_up(client, urls.admin_token, low)
        else:
            basket = random.Random(seed).sample(in_stock, k=min(mix.BASKET_PRODUCTS, len(in_stock)))
    if not ids or not basket:
        raise RuntimeError(f"{urls.product}/products lists no products to load-test with")
    return Catalog(ids, categories, basket)


def _top_up(client: httpx.Client, token: str, product_ids: list[str]) -> None:
    """Sets the basket's stock so a long run never sells out (the value is absolute: repeats are harmless)."""
    for pid in product_ids:
        answer = client.patch(
            f"/products/{pid}",
            json={"stock": mix.TOPPED_UP_STOCK},
            headers={"Authorization": f"Bearer {token}"},
        )
        if answer.status_code != 200:
            raise RuntimeError(
                f"stock top-up PATCH /products/{pid}: {answer.status_code} {answer.text[:200]}"
            )
