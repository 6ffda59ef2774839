"""The routers' shared dependencies run on the event loop: FastAPI sends a plain `def` dependency to its
thread pool, a hand-off per dependency per request that showed in the load gate's profile. The hot routes
have none to solve at all (about 13 us a request each)."""

from __future__ import annotations

import inspect

from fastapi import APIRouter
from fastapi.routing import APIRoute
from product_service.api import deps, products, reservations


def test_every_shared_dependency_is_a_coroutine_function() -> None:
    dependencies = [deps.get_runtime, deps.get_catalog, deps.require_admin]
    blocking = [d.__name__ for d in dependencies if not inspect.iscoroutinefunction(d)]
    assert blocking == [], f"plain def dependencies run in the thread pool: {blocking}"


# The routes every order and every page view calls: they read the runtime from the request instead.
HOT_ROUTES = {
    ("GET", "/products"),
    ("GET", "/products/{product_id}"),
    ("GET", "/products/{product_id}/image"),
    ("GET", "/categories"),
    ("POST", "/reservations"),
    ("GET", "/reservations/{order_id}"),
    ("POST", "/reservations/{order_id}/confirm"),
    ("POST", "/reservations/{order_id}/release"),
}


def dependencies_of_hot_routes(routers: list[APIRouter]) -> dict[tuple[str, str], list[str]]:
    """The hot routes found in ``routers``, with the dependencies FastAPI solves for each on every request."""
    found: dict[tuple[str, str], list[str]] = {}
    for router in routers:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in route.methods:
                if (method, route.path) in HOT_ROUTES:
                    found[method, route.path] = [d.name or repr(d.call) for d in route.dependant.dependencies]
    return found


def test_the_hot_routes_solve_no_dependency() -> None:
    found = dependencies_of_hot_routes([products.router, reservations.router])
    assert set(found) == HOT_ROUTES
    assert {route: names for route, names in found.items() if names} == {}


def test_a_hot_route_given_a_dependency_is_named() -> None:
    router = APIRouter()

    @router.post("/reservations/{order_id}/confirm")
    async def confirm(order_id: str, catalog: deps.CatalogDep) -> None:
        return None

    assert dependencies_of_hot_routes([router]) == {("POST", "/reservations/{order_id}/confirm"): ["catalog"]}
