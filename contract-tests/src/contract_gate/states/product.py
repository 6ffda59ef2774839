"""Provider states of product, set up through product's admin API (bearer token minted with the
platform's development signing key, as an operator's tooling would) and its reservations API.

States (parameters):

- ``a product exists`` (``productId``; optionally ``name``, ``category``, ``price``, ``currency``,
  ``stock``);
- ``no product exists`` (``productId``);
- ``products exist in a category`` (``category``, ``count``; optionally ``text``, ``price``,
  ``currency``, ``stock``, ``limit``, ``minPrice``, ``maxPrice``) → ``cursor``, the ``nextCursor`` of the
  first page for those filters;
- ``a reservation is held``, ``a reservation is released`` (``orderId``, ``productId``, ``quantity``);
- ``no reservation exists`` (``orderId``): checked, not made; product has no route that deletes a
  reservation, and the gate adds none, so the pact must use an order id nothing reserves for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from product_service.settings import Settings as ProductSettings
from pydantic import SecretStr
from servicekit.auth import AuthMode, mint_dev_token

from contract_gate.states import StateHandler

ADMIN = "contract-gate"


@dataclass(frozen=True)
class DevAuth:
    """The auth settings product runs with on the launched platform, enough to mint an admin token."""

    auth_audience: str
    auth_dev_signing_key: SecretStr
    auth_dev_issuer: str
    auth_admin_role: str
    auth_mode: AuthMode = AuthMode.DEV
    auth_entra_tenant_id: str | None = None
    auth_entra_jwks_url: str | None = None

    @classmethod
    def of(cls, env: Mapping[str, str]) -> DevAuth:
        """From the component's environment (``PRODUCT_*``), product's own defaults for what it omits."""
        fields = ProductSettings.model_fields

        def setting(name: str) -> str:
            return env.get(f"PRODUCT_{name.upper()}") or str(fields[name].default)

        if env.get("PRODUCT_AUTH_MODE") != AuthMode.DEV or not env.get("PRODUCT_AUTH_DEV_SIGNING_KEY"):
            raise ValueError("product on this platform does not run with development auth")
        return cls(
            auth_audience=setting("auth_audience"),
            auth_dev_signing_key=SecretStr(env["PRODUCT_AUTH_DEV_SIGNING_KEY"]),
            auth_dev_issuer=setting("auth_dev_issuer"),
            auth_admin_role=setting("auth_admin_role"),
        )

    def admin_token(self) -> str:
        return mint_dev_token(self, ADMIN, [self.auth_admin_role])


class ProductStates:
    def __init__(self, base_url: str, auth: DevAuth) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=15.0)
        self._admin = {"Authorization": f"Bearer {auth.admin_token()}"}

    def handlers(self) -> dict[str, StateHandler]:
        return {
            "a product exists": self.a_product_exists,
            "no product exists": self.no_product_exists,
            "products exist in a category": self.products_exist_in_a_category,
            "a reservation is held": self.a_reservation_is_held,
            "a reservation is released": self.a_reservation_is_released,
            "no reservation exists": self.no_reservation_exists,
        }

    def close(self) -> None:
        self._http.close()

    def a_product_exists(self, params: dict[str, Any]) -> dict[str, Any]:
        product_id = str(params["productId"])
        fields = {
            "name": params.get("name", f"Contract product {product_id}"),
            "description": params.get("description", "A product the contract gate put in place."),
            "category": params.get("category", "contract"),
            "price": str(params.get("price", "12.50")),
            "currency": params.get("currency", "USD"),
            "stock": int(params.get("stock", 100)),
        }
        self.upsert(product_id, fields)
        return {"productId": product_id}

    def no_product_exists(self, params: dict[str, Any]) -> None:
        product_id = str(params["productId"])
        response = self._http.delete(f"/products/{product_id}", headers=self._admin)
        if response.status_code not in (204, 404):
            raise RuntimeError(f"DELETE /products/{product_id}: {response.status_code} {response.text}")

    def products_exist_in_a_category(self, params: dict[str, Any]) -> dict[str, Any]:
        category = str(params["category"])
        text = str(params.get("text") or "item")
        for index in range(1, int(params["count"]) + 1):
            self.upsert(
                f"{category}-{index}",
                {
                    "name": f"Contract {text} {index}",
                    "description": f"A {text} the contract gate put in place.",
                    "category": category,
                    "price": str(params.get("price", "12.50")),
                    "currency": params.get("currency", "USD"),
                    "stock": int(params.get("stock", 10)),
                },
            )
        filters = {
            "category": category,
            "q": params.get("text"),
            "minPrice": params.get("minPrice"),
            "maxPrice": params.get("maxPrice"),
            "inStock": "true" if params.get("stock", 10) else None,
            "limit": params.get("limit"),
        }
        first = self._http.get("/products", params={k: v for k, v in filters.items() if v is not None})
        first.raise_for_status()
        cursor = first.json().get("nextCursor")
        return {"cursor": cursor} if cursor else {}

    def a_reservation_is_held(self, params: dict[str, Any]) -> dict[str, Any]:
        product_id, quantity = str(params["productId"]), int(params["quantity"])
        if self._http.get(f"/products/{product_id}").status_code == 404:
            self.a_product_exists({"productId": product_id, "stock": max(100, quantity)})
        order_id = str(params["orderId"])
        response = self._http.post(
            "/reservations",
            json={"orderId": order_id, "items": [{"productId": product_id, "quantity": quantity}]},
        )
        if response.status_code not in (200, 201):
            raise RuntimeError(f"POST /reservations for {order_id}: {response.status_code} {response.text}")
        return {"orderId": order_id}

    def a_reservation_is_released(self, params: dict[str, Any]) -> dict[str, Any]:
        values = self.a_reservation_is_held(params)
        order_id = values["orderId"]
        response = self._http.post(f"/reservations/{order_id}/release")
        if response.status_code != 200:
            raise RuntimeError(
                f"POST /reservations/{order_id}/release: {response.status_code} {response.text}"
            )
        return values

    def no_reservation_exists(self, params: dict[str, Any]) -> None:
        order_id = str(params["orderId"])
        status = self._http.get(f"/reservations/{order_id}").status_code
        if status != 404:
            raise RuntimeError(f"a reservation for order {order_id} exists (GET answered {status})")

    def upsert(self, product_id: str, fields: dict[str, Any]) -> None:
        """PUT when the product exists (no If-Match: the gate is the only writer), else POST with the id."""
        if self._http.get(f"/products/{product_id}").status_code == 200:
            response = self._http.put(f"/products/{product_id}", json=fields, headers=self._admin)
        else:
            response = self._http.post("/products", json={"id": product_id, **fields}, headers=self._admin)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"upsert of product {product_id}: {response.status_code} {response.text}")
