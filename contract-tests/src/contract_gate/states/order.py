"""Provider states of order, set up through order's own API (``POST /orders`` with an Idempotency-Key,
``GET /orders``) after product, order's own provider, has what the orders need (product's admin API).

Every handler can run again on the same platform (the gate verifies a pact more than once per launch in
its own tests) and still give the interaction what it asks for: fresh orders and keys each time, and a
cursor computed from what is there.

States (parameters) → values returned:

- ``a product can be ordered`` (``productId``, ``price``, ``currency``, ``stock``) → ``idempotencyKey``,
  a fresh one;
- ``an order exists`` (``customerEmail``, ``customerName``, ``productId``, ``quantity``, ``price``,
  ``currency``) → ``orderId``;
- ``orders exist for a customer`` (the same, ``count``, ``limit``): at least ``count`` orders of the
  customer → ``cursor``, the one order issued for the customer's last page.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from contract_gate.states import StateHandler
from contract_gate.states.product import ProductStates

# The gateway simulator's approving test card: orders placed by the gate are ordinary orders.
CARD = "4242424242424242"


class OrderStates:
    def __init__(self, base_url: str, product: ProductStates) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=30.0)
        self._product = product

    def handlers(self) -> dict[str, StateHandler]:
        return {
            "a product can be ordered": self.a_product_can_be_ordered,
            "an order exists": self.an_order_exists,
            "orders exist for a customer": self.orders_exist_for_a_customer,
        }

    def close(self) -> None:
        self._http.close()

    def a_product_can_be_ordered(self, params: dict[str, Any]) -> dict[str, Any]:
        self._product.a_product_exists(params)
        return {"idempotencyKey": f"contract-{uuid.uuid4()}"}

    def an_order_exists(self, params: dict[str, Any]) -> dict[str, Any]:
        self._product.a_product_exists({**params, "stock": max(100, int(params.get("quantity", 1)) * 10)})
        return {"orderId": self._place(params)}

    def orders_exist_for_a_customer(self, params: dict[str, Any]) -> dict[str, Any]:
        count, limit = int(params["count"]), int(params["limit"])
        email = str(params["customerEmail"])
        existing = self._list(email, limit=100)
        self._product.a_product_exists(
            {**params, "stock": max(100, count * int(params.get("quantity", 1)) * 10)}
        )
        for _ in range(count - len(existing)):
            self._place(params)
        # Page through to the last page: its cursor is the one a client holds after reading the others.
        cursor: str | None = None
        page = self._page(email, limit, None)
        while page.get("nextCursor"):
            cursor = page["nextCursor"]
            page = self._page(email, limit, cursor)
        return {"cursor": cursor} if cursor else {}

    def _place(self, params: dict[str, Any]) -> str:
        body = {
            "customer": {"email": params["customerEmail"], "name": params["customerName"]},
            "items": [{"productId": params["productId"], "quantity": int(params.get("quantity", 1))}],
            "paymentMethod": {"type": "card", "token": CARD},
        }
        response = self._http.post(
            "/orders", json=body, headers={"Idempotency-Key": f"contract-{uuid.uuid4()}"}
        )
        if response.status_code != 201:
            raise RuntimeError(f"POST /orders: {response.status_code} {response.text}")
        order_id: str = response.json()["id"]
        return order_id

    def _page(self, email: str, limit: int, cursor: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {"customerEmail": email, "limit": limit}
        if cursor:
            query["cursor"] = cursor
        response = self._http.get("/orders", params=query)
        if response.status_code != 200:
            raise RuntimeError(f"GET /orders: {response.status_code} {response.text}")
        page: dict[str, Any] = response.json()
        return page

    def _list(self, email: str, limit: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = self._page(email, limit, None)
        items.extend(page["items"])
        while page.get("nextCursor"):
            page = self._page(email, limit, page["nextCursor"])
            items.extend(page["items"])
        return items
