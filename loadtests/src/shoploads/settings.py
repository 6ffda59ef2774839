"""Where the load goes, as the Locust processes read it (the `shop-load` command sets these).

SHOP_LOAD_PRODUCT_URL / SHOP_LOAD_ORDER_URL: each service's base URL. Without them, Locust's `--host` is
taken as one base URL serving both `/products` and `/orders` (an ingress). SHOP_LOAD_ADMIN_TOKEN: the bearer
token of the admin user and of the stock top-up; without it the admin user idles and stock is not topped up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ShopUrls:
    product: str
    order: str
    admin_token: str | None


def shop_urls(host: str | None) -> ShopUrls:
    product = os.environ.get("SHOP_LOAD_PRODUCT_URL") or host
    order = os.environ.get("SHOP_LOAD_ORDER_URL") or host
    if not product or not order:
        raise ValueError("no target: pass --host, or set SHOP_LOAD_PRODUCT_URL and SHOP_LOAD_ORDER_URL")
    return ShopUrls(product.rstrip("/"), order.rstrip("/"), os.environ.get("SHOP_LOAD_ADMIN_TOKEN") or None)
