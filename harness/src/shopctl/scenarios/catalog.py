"""The products a scenario uses: created through the admin API (exact stock), picked from the live catalog
by a query, or named by id; their stock at the start (for `delta` expectations); cleanup afterwards.

Products a scenario creates go in category `qa-scenarios` with ids starting `qa-`; catalog queries never
pick them, so one scenario's exact stock is never bought by another's query.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopctl.scenarios.context import ScenarioContext, ScenarioError
from shopctl.scenarios.model import CatalogFilter, CatalogQuery

QA_PREFIX = "qa-"
_PRESETS: dict[str, CatalogFilter] = {
    "cheapest in stock": CatalogFilter(pick="cheapest"),
    "first in stock": CatalogFilter(pick="first"),
    "most stock": CatalogFilter(pick="most_stock"),
}


def as_filter(query: CatalogQuery) -> CatalogFilter:
    return _PRESETS[query] if isinstance(query, str) else query


async def find(ctx: ScenarioContext, query: CatalogQuery, quantity: int = 1) -> dict[str, Any]:
    wanted = as_filter(query)
    params: dict[str, Any] = {"limit": 100}
    if wanted.in_stock:
        params["inStock"] = "true"
    if wanted.category:
        params["category"] = wanted.category
    if wanted.text:
        params["q"] = wanted.text
    if wanted.max_price:
        params["maxPrice"] = wanted.max_price
    found: list[dict[str, Any]] = []
    while True:
        page = await ctx.client.get_json("product", "/products", params)
        if not isinstance(page, dict):
            raise ScenarioError(f"product: GET /products answered {page!r}")
        found.extend(page.get("items") or [])
        if not page.get("nextCursor"):
            break
        params["cursor"] = page["nextCursor"]
    enough = max(wanted.min_stock, quantity if wanted.in_stock else 0)
    candidates = [
        p for p in found if not str(p["id"]).startswith(QA_PREFIX) and int(p.get("stock", 0)) >= enough
    ]
    if not candidates:
        raise ScenarioError(f"no product in the catalog matches {_describe(query)} (with {enough}+ in stock)")
    if wanted.pick == "cheapest":
        return min(candidates, key=lambda p: (Decimal(str(p["price"])), p["id"]))
    if wanted.pick == "most_stock":
        return max(candidates, key=lambda p: (int(p["stock"]), p["id"]))
    return candidates[0]


def _describe(query: CatalogQuery) -> str:
    if isinstance(query, str):
        return repr(query)
    return "{" + ", ".join(f"{k}: {v}" for k, v in query.model_dump(exclude_defaults=True).items()) + "}"


async def read(ctx: ScenarioContext, product_id: str) -> dict[str, Any]:
    product = await ctx.client.get_json("product", f"/products/{product_id}")
    if not isinstance(product, dict):
        raise ScenarioError(f"product {product_id!r} does not exist")
    return product


async def prepare(ctx: ScenarioContext) -> None:
    """Create, find or read every product of the scenario, and note its stock at the start."""
    for name, fixture in ctx.scenario.products.items():
        if fixture.create is not None:
            spec = fixture.create
            body = {
                "id": ctx.product_id(name),
                "name": spec.name or f"QA {ctx.scenario.name} {name}",
                "description": f"Created by scenario {ctx.scenario.name} (run {ctx.run_id}).",
                "category": spec.category,
                "price": spec.price,
                "currency": spec.currency,
                "stock": spec.stock,
            }
            answer = await ctx.client.call("product", "POST", "/products", json=body, admin=True)
            if answer.status in (401, 403):
                raise ScenarioError(
                    f"the product admin API refused the admin token ({ctx.client.target.token_source}): "
                    f"{answer.summary()}"
                )
            if answer.status != 201:
                raise ScenarioError(f"creating product {name} failed: {answer.summary()}")
            ctx.created_products.append(str(body["id"]))
            product = answer.body
        elif fixture.query is not None:
            product = await find(ctx, fixture.query)
        else:
            product = await read(ctx, str(ctx.evaluate(fixture.id)))
        ctx.products[name] = {
            "id": product["id"],
            "name": product["name"],
            "price": product["price"],
            "currency": product["currency"],
            "stock": product["stock"],
            "reserved": product["reserved"],
            "created": fixture.create is not None,
        }


async def cleanup(ctx: ScenarioContext) -> None:
    """Delete the products the scenario created; one still held by an open order stays (noted)."""
    for product_id in ctx.created_products:
        try:
            answer = await ctx.client.call("product", "DELETE", f"/products/{product_id}", admin=True)
        except Exception as exc:  # cleanup never hides the scenario's own result
            ctx.notes.append(f"product {product_id} not deleted: {exc}")
            continue
        if answer.status not in (204, 404):
            ctx.notes.append(f"product {product_id} not deleted: {answer.summary()}")
