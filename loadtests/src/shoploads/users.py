"""The shop's visitors as Locust users; their weights and think times come from `mix`.

Every request is named by its route template (`routes`), so the statistics group by endpoint whatever the
ids and query strings were.
"""

from __future__ import annotations

import time
from typing import Any

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from locust.runners import WorkerRunner

from shoploads import mix, routes
from shoploads.catalog import Catalog, read_catalog
from shoploads.data import SEED, ShopData
from shoploads.hooks import listen
from shoploads.saga import FAILED_ENDS, TERMINAL, saga_ms
from shoploads.settings import ShopUrls, shop_urls
from shoploads.wait import think_then_pace

_state: dict[str, Any] = {}


def shop() -> tuple[ShopUrls, Catalog]:
    return _state["urls"], _state["catalog"]


def _read_catalog(environment: Environment, **_: Any) -> None:
    """Every process reads the catalog; one per run tops up the stock (the master, or the only process)."""
    urls = shop_urls(environment.host)
    _state["urls"] = urls
    _state["catalog"] = read_catalog(urls, SEED, top_up=not isinstance(environment.runner, WorkerRunner))


listen(events.test_start, _read_catalog)


class _ShopUser(FastHttpUser):
    abstract = True
    # Locust wants a host; each request uses an absolute URL of the right service.
    host = "http://127.0.0.1"
    connection_timeout = 10.0
    network_timeout = 30.0

    def on_start(self) -> None:
        self.urls, self.catalog = shop()
        self.data = ShopData()

    def get_json(self, url: str, name: str, **kwargs: Any) -> Any:
        with self.client.get(url, name=name, catch_response=True, **kwargs) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {answer.text[:200] if answer.text else ''}")
                return None
            return answer.json()


class Browser(_ShopUser):
    weight = mix.BROWSER.weight
    wait_time = between(mix.BROWSER.think_low, mix.BROWSER.think_high)

    @task(3)
    def catalog_page(self) -> None:
        self.get_json(f"{self.urls.product}/products?limit=20", routes.LIST_PRODUCTS)
        self.get_json(f"{self.urls.product}/categories", routes.LIST_CATEGORIES)

    @task(2)
    def category_filter(self) -> None:
        category = self.data.pick(self.catalog.categories)
        self.get_json(
            f"{self.urls.product}/products",
            routes.FILTER_PRODUCTS,
            params={"category": category, "inStock": "true", "limit": 20},
        )

    @task(2)
    def search(self) -> None:
        term = self.data.search_term()
        self.get_json(
            f"{self.urls.product}/products", routes.SEARCH_PRODUCTS, params={"q": term, "limit": 20}
        )

    @task(4)
    def product_page(self) -> None:
        pid = self.data.pick(self.catalog.product_ids)
        self.get_json(f"{self.urls.product}/products/{pid}", routes.GET_PRODUCT)
        with self.client.get(
            f"{self.urls.product}/products/{pid}/image", name=routes.GET_IMAGE, catch_response=True
        ) as image:
            # A product without an image answers 404: that is the page showing a placeholder.
            if image.status_code in (200, 404):
                image.success()
            else:
                image.failure(f"{image.status_code}")


class Shopper(_ShopUser):
    weight = mix.SHOPPER.weight
    wait_time = think_then_pace(mix.SHOPPER)

    @task
    def checkout(self) -> None:
        cart = self.data.cart(self.catalog.basket)
        for line in cart:
            self.get_json(f"{self.urls.product}/products/{line['productId']}", routes.GET_PRODUCT)
        body = {
            "customer": self.data.customer(),
            "items": cart,
            "paymentMethod": {"type": "card", "token": self.data.card()},
        }
        headers = {"Idempotency-Key": self.data.idempotency_key()}
        with self.client.post(
            f"{self.urls.order}/orders",
            json=body,
            headers=headers,
            name=routes.POST_ORDER,
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"{answer.status_code}: {answer.text[:300] if answer.text else ''}")
                return
            order_id = answer.json()["id"]
        self.follow_saga(order_id)

    def follow_saga(self, order_id: str) -> None:
        started = time.monotonic()
        deadline = started + mix.SAGA_TIMEOUT_SECONDS
        wait = mix.SAGA_POLL_FIRST_SECONDS
        while True:
            time.sleep(wait)  # cooperative: Locust has monkey-patched time
            wait = min(wait * mix.SAGA_POLL_FACTOR, mix.SAGA_POLL_MAX_SECONDS)
            order = self.get_json(f"{self.urls.order}/orders/{order_id}", routes.GET_ORDER)
            status = order["status"] if order else None
            if status in TERMINAL:
                self.report_saga(saga_ms(order), None)
                return
            if status in FAILED_ENDS:
                self.report_saga(saga_ms(order), RuntimeError(f"order {order_id} ended {status}"))
                return
            if time.monotonic() > deadline:
                waited = (time.monotonic() - started) * 1000
                self.report_saga(
                    waited, TimeoutError(f"order {order_id} still {status} after {waited:.0f} ms")
                )
                return

    def report_saga(self, milliseconds: float, exception: Exception | None) -> None:
        self.environment.events.request.fire(
            request_type=routes.SAGA_TYPE,
            name=routes.SAGA,
            response_time=milliseconds,
            response_length=0,
            exception=exception,
            context={},
        )


class ReturningCustomer(_ShopUser):
    weight = mix.RETURNING.weight
    wait_time = between(mix.RETURNING.think_low, mix.RETURNING.think_high)

    @task
    def order_history(self) -> None:
        email = self.data.customer()["email"]
        listed = self.get_json(
            f"{self.urls.order}/orders", routes.LIST_ORDERS, params={"customerEmail": email, "limit": 10}
        )
        if listed and listed.get("items"):
            self.get_json(f"{self.urls.order}/orders/{listed['items'][0]['id']}", routes.GET_ORDER)


class Admin(_ShopUser):
    weight = mix.ADMIN.weight
    wait_time = between(mix.ADMIN.think_low, mix.ADMIN.think_high)

    @task
    def update_price_or_stock(self) -> None:
        if not self.urls.admin_token:
            return  # no token for this target: the admin stays away
        # Only products outside the shoppers' basket, so their stock top-up is never undone.
        others = [pid for pid in self.catalog.product_ids if pid not in self.catalog.basket]
        pid = self.data.pick(others or self.catalog.product_ids)
        change: dict[str, object] = (
            {"stock": self.data.random.randint(5, 99)}
            if self.data.random.random() < 0.5
            else {"price": f"{self.data.random.randint(200, 9000) / 100:.2f}"}
        )
        with self.client.patch(
            f"{self.urls.product}/products/{pid}",
            json=change,
            # The admin thinks 5-10 s, longer than the services keep an idle connection (uvicorn and Node
            # close it after 5 s): a request sent on one as the server closes it fails with no status, and a
            # PATCH is not retried. Like a browser that finds its connection gone, it opens a fresh one.
            headers={"Authorization": f"Bearer {self.urls.admin_token}", "Connection": "close"},
            name=routes.PATCH_PRODUCT,
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {answer.text[:200] if answer.text else ''}")
