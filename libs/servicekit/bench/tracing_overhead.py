"""What tracing costs the product service: CPU milliseconds per request of the real ``product-service``
process with tracing off (no exporter: sampler off, ids only) and on (OTLP/HTTP to a local sink).

    .venv/bin/python libs/servicekit/bench/tracing_overhead.py [--requests 1000] [--rounds 5]
        [--concurrency 8] [--baseline-src DIR]

Starts the Cosmos DB server and Azurite on free ports (shopctl.testing), then one product-service process
per configuration with the demo catalog, warms each up, and drives them in turn, round after round, with the
same closed-loop mix of product reads and catalog pages. CPU is the process's user + system time from
/proc/<pid>/stat, before and after: far steadier than latency on a shared machine. ``--baseline-src`` adds a
run of the ``product_service`` package found in DIR (say an export of the commit before tracing) for the
untraced figure. The sink and the load generator run in this process and are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND


@dataclass(frozen=True)
class Figures:
    name: str
    requests: int
    errors: int
    cpu_ms_per_request: float
    requests_per_second: float

    def line(self) -> str:
        return (
            f"{self.name:<28} {self.requests:>6} req  {self.cpu_ms_per_request:>6.2f} CPU ms/req  "
            f"{self.requests_per_second:>7.1f} req/s  errors {self.errors}"
        )


@contextmanager
def otlp_sink() -> Iterator[tuple[str, list[int]]]:
    """Answers OTLP/HTTP exports with 200 and counts their bytes."""
    received: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(len(self.rfile.read(int(self.headers.get("Content-Length", "0")))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def product_process(base_env: dict[str, str], extra: dict[str, str]) -> Iterator[tuple[str, int]]:
    from shopctl.ports import free_port

    port = free_port()
    env = {**base_env, "PRODUCT_PORT": str(port), **extra}
    script = Path(sys.executable).with_name("product-service")
    process = subprocess.Popen([str(script)], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("product-service did not become ready")
            try:
                if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def drive(url: str, requests: int, concurrency: int, seed: int) -> tuple[int, float]:
    """The mix: four product reads (as the order service prices carts) to one catalog page."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        page = (await client.get("/products", params={"limit": 50})).json()
        ids = [item["id"] for item in page["items"]]
        rng = random.Random(seed)
        paths = [
            "/products?limit=20" if index % 5 == 4 else f"/products/{rng.choice(ids)}"
            for index in range(requests)
        ]
        errors = 0
        queue = iter(paths)
        started = time.perf_counter()

        async def worker() -> None:
            nonlocal errors
            for path in queue:
                response = await client.get(path)
                errors += response.status_code != 200

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return errors, time.perf_counter() - started


def measure(runs: list[tuple[str, str, int]], args: argparse.Namespace) -> Iterator[Figures]:
    """Round-robin: every configuration gets ``--rounds`` turns of ``--requests`` requests, so that a
    neighbour's burst on the shared machine falls on all of them alike; each total is reported."""
    for _, url, _ in runs:
        asyncio.run(drive(url, args.requests // 5, args.concurrency, seed=1))  # warm-up, not counted
    # per configuration: errors, CPU seconds, wall seconds
    totals: dict[str, list[float]] = {name: [0, 0.0, 0.0] for name, _, _ in runs}
    for round_number in range(args.rounds):
        for name, url, pid in runs:
            before = cpu_seconds(pid)
            errors, seconds = asyncio.run(drive(url, args.requests, args.concurrency, seed=2 + round_number))
            total = totals[name]
            total[0] += errors
            total[1] += cpu_seconds(pid) - before
            total[2] += seconds
    count = args.requests * args.rounds
    for name, (failed, cpu, wall) in totals.items():
        yield Figures(name, count, int(failed), cpu * 1000 / count, count / wall)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000, help="per configuration and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--baseline-src", type=Path, help="a directory holding an untraced product_service")
    args = parser.parse_args()

    from shopctl.emulator_accounts import COSMOS_EMULATOR_KEY
    from shopctl.testing import launched

    tracing_variables = {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"}
    tracing_variables |= {"APPLICATIONINSIGHTS_CONNECTION_STRING", "OTEL_TRACES_SAMPLER"}
    with launched("azurite", "cosmos") as platform, otlp_sink() as (sink_url, sink):
        base_env = {key: value for key, value in os.environ.items() if key not in tracing_variables}
        base_env.update(
            {
                "PRODUCT_ENVIRONMENT": "development",
                "PRODUCT_HOST": "127.0.0.1",
                "PRODUCT_COSMOS_ENDPOINT": platform.url("cosmos"),
                "PRODUCT_COSMOS_KEY": COSMOS_EMULATOR_KEY,
                "PRODUCT_COSMOS_ENABLE_ENDPOINT_DISCOVERY": "false",
                "PRODUCT_COSMOS_FORCE_CROSS_PARTITION_HEADER": "true",
                "PRODUCT_BLOB_CONNECTION_STRING": platform.azurite_connection_string("blob"),
                "PRODUCT_AUTH_MODE": "dev",
                "PRODUCT_AUTH_DEV_SIGNING_KEY": "bench-signing-key-for-local-runs-only-0123456789",
                "PRODUCT_SEED_ON_START": "true",
                "PRODUCT_LOG_LEVEL": "WARNING",
            }
        )
        configurations: list[tuple[str, dict[str, str]]] = []
        if args.baseline_src is not None:
            configurations.append(
                ("untraced (baseline src)", {"PYTHONPATH": str(args.baseline_src.resolve())})
            )
        configurations += [
            ("tracing off (no exporter)", {}),
            ("tracing on (OTLP to a sink)", {"OTEL_EXPORTER_OTLP_ENDPOINT": sink_url}),
        ]
        with ExitStack() as processes:
            runs = [
                (name, *processes.enter_context(product_process(base_env, extra)))
                for name, extra in configurations
            ]
            for figures in measure(runs, args):
                print(figures.line(), flush=True)
        print(f"the OTLP sink received {len(sink)} exports, {sum(sink)} bytes", flush=True)


if __name__ == "__main__":
    main()
