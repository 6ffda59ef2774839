"""Throughput and latency of the catalog read paths (list, filtered list, get) under concurrency.

    .venv/bin/python services/product/bench/bench_api.py                 # starts everything it needs
    .venv/bin/python services/product/bench/bench_api.py --url http://127.0.0.1:8001   # a running service

Without --url it starts the Cosmos DB server and Azurite on free ports (shopctl.testing), runs the real
``product-service`` process (uvicorn, one worker) on a free port with the demo catalog seeded at start,
measures, and stops everything. Each scenario is bounded by a request count and a time limit. The load
generator shares the machine with the server, so the figures are a floor, not a capacity.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
from local_product import local_product


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    def line(self) -> str:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")

        rate = self.requests / self.seconds if self.seconds else 0.0
        mean = statistics.fmean(ordered) * 1000 if ordered else float("nan")
        return (
            f"{self.name:<22} {self.requests:>7} req  {rate:>8.1f} req/s  "
            f"p50 {pct(0.50):>7.1f} ms  p95 {pct(0.95):>7.1f} ms  p99 {pct(0.99):>7.1f} ms  "
            f"mean {mean:>7.1f} ms  errors {self.errors}"
        )


async def scenario(
    client: aiohttp.ClientSession,
    name: str,
    path_for: Callable[[], str],
    concurrency: int,
    max_requests: int,
    max_seconds: float,
) -> Result:
    latencies: list[float] = []
    errors = 0
    issued = 0
    started = time.perf_counter()
    deadline = started + max_seconds

    async def worker() -> None:
        nonlocal errors, issued
        while issued < max_requests and time.perf_counter() < deadline:
            issued += 1
            t0 = time.perf_counter()
            try:
                async with client.get(path_for()) as response:
                    await response.read()
                    ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            latencies.append(time.perf_counter() - t0)
            errors += 0 if ok else 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(name, len(latencies), errors, time.perf_counter() - started, latencies)


async def measure(base_url: str, concurrency: int, max_requests: int, max_seconds: float) -> None:
    # aiohttp rather than httpx: the load generator shares the CPUs, so it should spend as little as it can.
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as client:
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
        if not ids:
            raise SystemExit("the catalog is empty; seed it first (product-seed)")
        async with client.get("/categories") as response:
            categories = [c["name"] for c in await response.json()]
        rng = random.Random(7)
        scenarios: list[tuple[str, Callable[[], str]]] = [
            ("get /products/{id}", lambda: f"/products/{rng.choice(ids)}"),
            ("list (20, no filter)", lambda: "/products?limit=20"),
            ("list (category)", lambda: f"/products?category={rng.choice(categories)}&limit=20"),
        ]
        print(f"target {base_url}: {len(ids)} products, concurrency {concurrency}")
        # A short warm-up so connection set-up and first-query costs are not measured.
        await scenario(client, "warm-up", scenarios[0][1], concurrency, 200, 5.0)
        for name, path_for in scenarios:
            result = await scenario(client, name, path_for, concurrency, max_requests, max_seconds)
            print(result.line(), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="benchmark a running service instead of starting one")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--requests", type=int, default=3000, help="per scenario (default 3000)")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per scenario (default 20)")
    args = parser.parse_args()
    if args.url:
        asyncio.run(measure(args.url.rstrip("/"), args.concurrency, args.requests, args.seconds))
        return
    with local_product() as service:
        asyncio.run(measure(service.url, args.concurrency, args.requests, args.seconds))


if __name__ == "__main__":
    main()
