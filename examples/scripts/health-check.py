#!/usr/bin/env python3
"""Example: a health monitoring script for the shop's services.

Demonstrates: every service's /health (liveness: the process serves) and /ready (readiness: its
dependencies answer) checked in parallel, each retried with exponential backoff (a rollout may still be
settling; a 429 waits for its Retry-After instead), the answers as a table, and an exit code a pipeline or
cron job can act on: 0 when every check answered 200, 1 otherwise, naming the failing services.
Python's standard library only, so it runs anywhere Python 3.11 does.

The full version, which reads the deployed environments from scripts/ops/environments.yaml and runs in the
pipelines' smoke test, is `shop-ops health` (scripts/ops/src/shopops/health.py). examples/tests keep the
services, ports and paths below equal to harness/platform.yaml and that file.

    python3 examples/scripts/health-check.py                         # the local platform (`make up`)
    python3 examples/scripts/health-check.py --service product=https://shop.example/api/product
Check: .venv/bin/pytest examples/tests/test_health_check.py
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

# Liveness, then readiness: the paths every service answers (docs/conventions.md, Health).
HEALTH = "/health"
READY = "/ready"
# A server asking for a longer pause than this is treated as down rather than waited for.
MAX_RETRY_AFTER_SECONDS = 30.0


@dataclass(frozen=True)
class Service:
    name: str
    base_url: str
    paths: tuple[str, ...] = (HEALTH, READY)


# The local platform's services on `make up`'s default ports. The storefront is static files: it has no
# dependencies to be ready for, so only /health.
DEFAULT_SERVICES = {
    service.name: service
    for service in (
        Service("product", "http://127.0.0.1:8001"),
        Service("order", "http://127.0.0.1:8002"),
        Service("payment", "http://127.0.0.1:8003"),
        Service("payment-worker", "http://127.0.0.1:8013"),
        Service("notification", "http://127.0.0.1:8004"),
        Service("frontend", "http://127.0.0.1:8080", (HEALTH,)),
    )
}


@dataclass(frozen=True)
class Result:
    service: str
    path: str
    ok: bool
    status: int | None
    attempts: int
    detail: str


@dataclass(frozen=True)
class Answer:
    """One HTTP attempt: the status (None when no answer came) and why it is not a pass."""

    status: int | None
    detail: str = ""
    retry_after: float | None = None


def fetch(url: str, timeout: float) -> Answer:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return Answer(int(response.status))
    except urllib.error.HTTPError as error:
        # 503 from /ready names the dependencies that failed (`checks`), which is what an operator needs.
        retry_after = error.headers.get("Retry-After", "")
        return Answer(
            error.code,
            _failing_checks(error),
            float(retry_after) if error.code == 429 and retry_after.isdigit() else None,
        )
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Answer(None, f"{type(reason).__name__}: {reason}")


def _failing_checks(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read() or b"null")
    except ValueError:
        return f"HTTP {error.code}"
    checks = body.get("checks") if isinstance(body, dict) else None
    failing = [name for name, check in (checks or {}).items() if check.get("status") != "ok"]
    return f"HTTP {error.code} {' '.join(failing)}".strip()


def check(service: Service, path: str, attempts: int, backoff: float, timeout: float) -> Result:
    answer = Answer(None)
    for attempt in range(1, attempts + 1):
        answer = fetch(service.base_url.rstrip("/") + path, timeout)
        if answer.status == 200:
            return Result(service.name, path, True, 200, attempt, "")
        if attempt < attempts:
            # 1 s, 2 s, 4 s, ...: quick when a pod is just restarting, patient when a rollout is under way.
            wait = backoff * 2 ** (attempt - 1)
            if answer.retry_after is not None:
                wait = min(answer.retry_after, MAX_RETRY_AFTER_SECONDS)
            time.sleep(wait)
    return Result(service.name, path, False, answer.status, attempts, answer.detail)


def table(results: list[Result]) -> str:
    rows = [("service", "check", "result", "status", "attempts", "detail")]
    rows += [
        (r.service, r.path, "ok" if r.ok else "FAIL", str(r.status or "-"), str(r.attempts), r.detail)
        for r in results
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def parse_service(text: str) -> Service:
    """NAME=URL; a known NAME keeps its paths, another gets both /health and /ready."""
    name, separator, url = text.partition("=")
    if not separator or not name or not url.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=http(s)://HOST[:PORT][/PREFIX]")
    known = DEFAULT_SERVICES.get(name)
    return Service(name, url, known.paths if known else (HEALTH, READY))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check every service's /health and /ready.")
    parser.add_argument(
        "--service",
        action="append",
        type=parse_service,
        metavar="NAME=URL",
        help="check this service at this base URL (repeatable); default: the local platform's services",
    )
    parser.add_argument("--attempts", type=int, default=5, help="tries per check (default 5)")
    parser.add_argument("--backoff", type=float, default=1.0, help="first pause in seconds, doubling")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per request (default 5)")
    args = parser.parse_args(argv)
    services: list[Service] = args.service or list(DEFAULT_SERVICES.values())
    probes = [(service, path) for service in services for path in service.paths]
    # In parallel: a service that is down costs its own retries, not everyone's.
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda p: check(p[0], p[1], args.attempts, args.backoff, args.timeout), probes)
        )
    print(table(results))
    failing = sorted({result.service for result in results if not result.ok})
    if failing:
        print(f"unhealthy: {', '.join(failing)}", file=sys.stderr)
        return 1
    print(f"healthy: {len(services)} services, {len(results)} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
