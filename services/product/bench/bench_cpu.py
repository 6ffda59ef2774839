"""CPU per request, per route: what one request costs the product process and the Cosmos DB server.

    .venv/bin/python services/product/bench/bench_cpu.py [--requests 1500] [--concurrency 8]

Starts the Cosmos DB server and Azurite on free ports (shopctl.testing) and a real ``product-service``
process with the demo catalog, then runs each route on its own (closed loop, ``--concurrency`` clients),
then two mixes shaped like the load gate's traffic to product: shoppers' product reads, the order
service's price reads, reservations, confirms and releases, beside browsing (catalog pages, categories,
category filters, searches, product pages with their images). The second, "orders with browsing", is one
order placed plus the browsing requests that come with each order at the load gate's measured rates, and
also prints the CPU milliseconds per order. For each it prints requests/s and the CPU
milliseconds per request spent by the product process and by the Cosmos DB server, read from
/proc/<pid>/stat (user + system) before and after. Wall-clock figures depend on whatever else runs on the
machine; CPU per request much less so. The load generator runs in this process and is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from local_product import LocalProduct, local_product
from proc_cpu import cpu_seconds

# What a shopper's cart and a browser's visit look like (loadtests/src/shoploads/mix.py and users.py).
LINES = {1: 60, 2: 30, 3: 10}
SEARCH_WORDS = ["mug", "tea", "linen", "lamp", "cotton", "oak", "blue", "glass"]
BASKET_SIZE = 24
# Browser tasks per shopper journey at the load gate's mix (about 40 browser tasks/s beside 10 orders/s).
BROWSER_TASKS_PER_ORDER = 4
BROWSER_TASK_WEIGHTS = {"catalog_page": 3, "category_filter": 2, "search": 2, "product_page": 4}
CONFIRM_SHARE = 0.9  # the rest of the orders are declined and released
# Browsing beside each order placed, from the load gate's request rates per order at 34 orders/s
# (loadtests, 150 users): list pages 29/s, categories 12/s, images 17/s, and product pages beyond the
# shoppers' own basket reads. Each is made with this probability per order.
BROWSING_PER_ORDER = {"catalog_page": 0.4, "category_filter": 0.25, "search": 0.2, "categories": 0.35}
IMAGES_PER_ORDER = 0.5
PRODUCT_PAGES_PER_ORDER = 0.3


@dataclass
class Shop:
    """What the scenarios need to know about the catalog, and the reservations waiting for a decision."""

    ids: list[str]
    basket: list[str]
    categories: list[str]
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    open_orders: list[str] = field(default_factory=list)
    # The order service read every product of an order before reserving it until reservations answered
    # with prices; set for a version of the service that must be measured with that traffic.
    order_reads_products: bool = False
    orders_placed: int = 0
    order_numbers: itertools.count[int] = field(default_factory=itertools.count)

    def cart(self) -> list[dict[str, object]]:
        lines = self.rng.choices(list(LINES), weights=list(LINES.values()))[0]
        chosen = self.rng.sample(self.basket, k=lines)
        return [{"productId": pid, "quantity": self.rng.randint(1, 2)} for pid in chosen]


@dataclass
class Figures:
    name: str
    requests: int
    errors: int
    seconds: float
    product_cpu: float
    cosmos_cpu: float
    orders: int = 0

    def line(self) -> str:
        per = 1000.0 / self.requests if self.requests else float("nan")
        line = (
            f"{self.name:<34} {self.requests:>6} req {self.requests / self.seconds:>7.1f} req/s  "
            f"product {self.product_cpu * per:>6.2f} ms/req  cosmos {self.cosmos_cpu * per:>6.2f} ms/req  "
            f"errors {self.errors}"
        )
        if self.orders:
            per_order = 1000.0 / self.orders
            line += (
                f"\n{'':<34} {self.orders:>6} orders; per order: "
                f"product {self.product_cpu * per_order:.2f} ms"
                f" + cosmos {self.cosmos_cpu * per_order:.2f} ms"
                f" = {(self.product_cpu + self.cosmos_cpu) * per_order:.2f} ms CPU"
            )
        return line


# One unit of work: returns how many requests it made and how many of them failed.
Step = Callable[[aiohttp.ClientSession, Shop], Awaitable[tuple[int, int]]]


async def _get(client: aiohttp.ClientSession, path: str, ok: tuple[int, ...] = (200,)) -> int:
    async with client.get(path) as response:
        await response.read()
        return 0 if response.status in ok else 1


async def _post(client: aiohttp.ClientSession, path: str, body: object | None, ok: tuple[int, ...]) -> int:
    async with client.post(path, json=body) as response:
        await response.read()
        return 0 if response.status in ok else 1


async def get_product(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
    return 1, await _get(client, f"/products/{shop.rng.choice(shop.ids)}")


async def get_image(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
    return 1, await _get(client, f"/products/{shop.rng.choice(shop.ids)}/image", ok=(200, 404))


async def list_page(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
    return 1, await _get(client, "/products?limit=20")


async def list_categories(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
    return 1, await _get(client, "/categories")


async def category_filter(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
    category = shop.rng.choice(shop.categories)
    return 1, await _get(client, f"/products?category={category}&inStock=true&limit=20")


async def search(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
    return 1, await _get(client, f"/products?q={shop.rng.choice(SEARCH_WORDS)}&limit=20")


async def reserve(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
    order_id = f"bench-{next(shop.order_numbers)}-{shop.rng.getrandbits(32):08x}"
    failed = await _post(client, "/reservations", {"orderId": order_id, "items": shop.cart()}, ok=(201,))
    if not failed:
        shop.open_orders.append(order_id)
    return 1, failed


def decide(step: str) -> Step:
    async def run(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
        if not shop.open_orders:
            return 0, 0
        order_id = shop.open_orders.pop()
        return 1, await _post(client, f"/reservations/{order_id}/{step}", None, ok=(200,))

    return run


async def shopper_journey(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
    """The product side of one order: the shopper reads each product, the order service reserves (priced
    by the reservation's answer; or, with ``order_reads_products``, after reading each product), and
    confirms (or releases, for a declined payment)."""
    cart = shop.cart()
    errors = 0
    for _ in range(2 if shop.order_reads_products else 1):
        for line in cart:
            errors += await _get(client, f"/products/{line['productId']}")
    order_id = f"bench-{next(shop.order_numbers)}-{shop.rng.getrandbits(32):08x}"
    errors += await _post(client, "/reservations", {"orderId": order_id, "items": cart}, ok=(201,))
    step = "confirm" if shop.rng.random() < CONFIRM_SHARE else "release"
    errors += await _post(client, f"/reservations/{order_id}/{step}", None, ok=(200,))
    return (2 if shop.order_reads_products else 1) * len(cart) + 2, errors


async def browser_task(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
    task = shop.rng.choices(list(BROWSER_TASK_WEIGHTS), weights=list(BROWSER_TASK_WEIGHTS.values()))[0]
    if task == "catalog_page":
        pairs = [await list_page(client, shop), await list_categories(client, shop)]
    elif task == "category_filter":
        pairs = [await category_filter(client, shop)]
    elif task == "search":
        pairs = [await search(client, shop)]
    else:
        pairs = [await get_product(client, shop), await get_image(client, shop)]
    return sum(n for n, _ in pairs), sum(e for _, e in pairs)


async def order_with_browsing(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
    """One order placed, as product sees it at the load gate, with the browsing that goes beside it: the
    shopper's basket reads and the order service's re-pricing reads, the reservation and its decision,
    then list pages, categories, images and product pages at their rates per order."""
    made, errors = await shopper_journey(client, shop)
    shop.orders_placed += 1
    pairs: list[tuple[int, int]] = []
    for task, share in BROWSING_PER_ORDER.items():
        if shop.rng.random() < share:
            pairs.append(await _BROWSING[task](client, shop))
    if shop.rng.random() < IMAGES_PER_ORDER:
        pairs.append(await get_image(client, shop))
    if shop.rng.random() < PRODUCT_PAGES_PER_ORDER:
        pairs.append(await get_product(client, shop))
    return made + sum(n for n, _ in pairs), errors + sum(e for _, e in pairs)


_BROWSING: dict[str, Step] = {
    "catalog_page": list_page,
    "category_filter": category_filter,
    "search": search,
    "categories": list_categories,
}


async def load_gate_mix(client: aiohttp.ClientSession, shop: Shop) -> tuple[int, int]:
    if shop.rng.random() < 1 / (1 + BROWSER_TASKS_PER_ORDER):
        return await shopper_journey(client, shop)
    return await browser_task(client, shop)


async def run_scenario(
    client: aiohttp.ClientSession,
    service: LocalProduct,
    shop: Shop,
    name: str,
    step: Step,
    requests: int,
    concurrency: int,
) -> Figures:
    done = errors = 0

    async def worker() -> None:
        nonlocal done, errors
        while done < requests:
            made, failed = await step(client, shop)
            if made == 0:
                return
            done += made
            errors += failed

    orders_before = shop.orders_placed
    product_before, cosmos_before = cpu_seconds(service.product_pid), cpu_seconds(service.cosmos_pid)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return Figures(
        name,
        done,
        errors,
        seconds,
        cpu_seconds(service.product_pid) - product_before,
        cpu_seconds(service.cosmos_pid) - cosmos_before,
        shop.orders_placed - orders_before,
    )


async def read_shop(client: aiohttp.ClientSession, service: LocalProduct) -> Shop:
    ids: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        async with client.get("/products", params=params) as response:
            page = await response.json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    async with client.get("/categories") as response:
        categories = [c["name"] for c in await response.json()]
    basket = random.Random(7).sample(ids, k=BASKET_SIZE)
    headers = {"Authorization": f"Bearer {_admin_token(service)}"}
    for pid in basket:  # so that no reservation is refused for stock during the run
        async with client.patch(f"/products/{pid}", json={"stock": 1_000_000}, headers=headers) as response:
            if response.status != 200:
                raise SystemExit(f"stock top-up of {pid}: {response.status} {await response.text()}")
    return Shop(ids, basket, categories)


def _admin_token(service: LocalProduct) -> str:
    from product_service.settings import AuthMode, Environment, Settings
    from pydantic import SecretStr
    from servicekit.auth import mint_dev_token

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment=Environment.DEVELOPMENT,
        cosmos_endpoint="http://unused",
        blob_connection_string=SecretStr("unused"),
        auth_mode=AuthMode.DEV,
        auth_dev_signing_key=SecretStr(service.signing_key),
    )
    return mint_dev_token(settings, "bench-admin", [settings.auth_admin_role])


async def measure(service: LocalProduct, requests: int, concurrency: int) -> None:
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(service.url, connector=connector, timeout=timeout) as client:
        shop = await read_shop(client, service)
        print(
            f"{len(shop.ids)} products, {len(shop.categories)} categories, concurrency {concurrency}; "
            f"product pid {service.product_pid}, Cosmos DB server pid {service.cosmos_pid}"
        )
        await run_scenario(client, service, shop, "warm-up", load_gate_mix, 300, concurrency)
        scenarios: list[tuple[str, Step, int]] = [
            ("GET /products/{id}", get_product, requests),
            ("GET /products/{id}/image", get_image, requests),
            ("GET /products (page)", list_page, requests),
            ("GET /products?category&inStock", category_filter, requests),
            ("GET /products?q", search, requests),
            ("GET /categories", list_categories, requests),
            ("POST /reservations", reserve, requests),
            ("POST /reservations/{id}/confirm", decide("confirm"), int(requests * CONFIRM_SHARE)),
            ("POST /reservations/{id}/release", decide("release"), requests),
            ("load-gate mix", load_gate_mix, 2 * requests),
            ("orders with browsing (load suite)", order_with_browsing, 2 * requests),
        ]
        for name, step, count in scenarios:
            figures = await run_scenario(client, service, shop, name, step, count, concurrency)
            print(figures.line(), flush=True)


def _plus(a: Figures, b: Figures) -> Figures:
    return Figures(
        a.name,
        a.requests + b.requests,
        a.errors + b.errors,
        a.seconds + b.seconds,
        a.product_cpu + b.product_cpu,
        a.cosmos_cpu + b.cosmos_cpu,
        a.orders + b.orders,
    )


def _spread(rounds: list[Figures]) -> str:
    """The product process's CPU per request (and per order) in each round: median, lowest and highest."""

    def summary(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"

    per_request = [1000.0 * f.product_cpu / f.requests for f in rounds if f.requests]
    line = f"{'':<34} per round, product ms/req: median {summary(per_request)}"
    per_order = [1000.0 * f.product_cpu / f.orders for f in rounds if f.orders]
    if per_order:
        line += f"; ms/order: median {summary(per_order)}"
    return line


async def compare(
    services: dict[str, LocalProduct],
    requests: int,
    concurrency: int,
    rounds: int,
    reads_products: frozenset[str] = frozenset(),
    only: str = "",
) -> None:
    """Each scenario (those whose name contains ``only``) on every service in turn, ``rounds`` times over,
    so that whatever else runs on the machine weighs on all of them alike; prints each service's totals
    per scenario and the spread of its rounds. The services labelled in ``reads_products`` get the order
    traffic of an order service that reads every product it orders."""
    timeout = aiohttp.ClientTimeout(total=30)
    clients = {
        label: aiohttp.ClientSession(
            service.url, connector=aiohttp.TCPConnector(limit=concurrency), timeout=timeout
        )
        for label, service in services.items()
    }
    try:
        shops = {label: await read_shop(clients[label], service) for label, service in services.items()}
        for label in reads_products:
            shops[label].order_reads_products = True
        for label, service in services.items():
            await run_scenario(
                clients[label], service, shops[label], "warm-up", load_gate_mix, 300, concurrency
            )
        share = max(1, requests // rounds)
        scenarios: list[tuple[str, Step]] = [
            ("GET /products/{id}", get_product),
            ("GET /products/{id}/image", get_image),
            ("GET /products (page)", list_page),
            ("GET /products?category&inStock", category_filter),
            ("GET /products?q", search),
            ("GET /categories", list_categories),
            ("POST /reservations", reserve),
            ("POST /reservations/{id}/confirm", decide("confirm")),
            ("load-gate mix", load_gate_mix),
            ("orders with browsing (load suite)", order_with_browsing),
        ]
        for name, step in scenarios:
            if only and only not in name:
                continue
            totals: dict[str, Figures] = {}
            each_round: dict[str, list[Figures]] = {label: [] for label in services}
            for _ in range(rounds):
                for label, service in services.items():
                    figures = await run_scenario(
                        clients[label], service, shops[label], name, step, share, concurrency
                    )
                    each_round[label].append(figures)
                    totals[label] = _plus(totals[label], figures) if label in totals else figures
            for label, figures in totals.items():
                figures.name = f"[{label}] {name}"
                print(figures.line(), flush=True)
                print(_spread(each_round[label]), flush=True)
    finally:
        for client in clients.values():
            await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1500, help="per route (default 1500)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--platform-file", type=Path, help="replaces harness/platform.yaml (another Cosmos DB server command)"
    )
    parser.add_argument(
        "--product-src", type=Path, help="a directory holding another product_service package to measure"
    )
    parser.add_argument(
        "--against",
        type=Path,
        help="a directory holding another product_service package (say HEAD's) to measure beside this one, "
        "scenario by scenario in turns (--rounds), each with its own Cosmos DB server",
    )
    parser.add_argument("--rounds", type=int, default=6, help="turns per scenario with --against")
    parser.add_argument(
        "--only", default="", help="with --against: only the scenarios whose name contains this, say 'orders'"
    )
    parser.add_argument(
        "--against-reads-products",
        action="store_true",
        help="give the --against service the order traffic from before reservations answered prices "
        "(the order service read every product of an order before reserving it)",
    )
    args = parser.parse_args()
    if args.against is None:
        with local_product(args.platform_file, args.product_src) as service:
            asyncio.run(measure(service, args.requests, args.concurrency))
        return
    with (
        local_product(args.platform_file, args.product_src) as this,
        local_product(args.platform_file, args.against) as other,
    ):
        services = {"this": this, "against": other}
        reads_products = frozenset({"against"} if args.against_reads_products else ())
        asyncio.run(
            compare(services, args.requests, args.concurrency, args.rounds, reads_products, args.only)
        )


if __name__ == "__main__":
    main()
