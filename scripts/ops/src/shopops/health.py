"""Health check of an environment: every service's /health and /ready, a table, and a verdict.

Each URL is tried up to `attempts` times with exponential backoff (a rollout may still be settling);
a 429 waits for its Retry-After instead. A check passes on HTTP 200 only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from shopops.cli_tools import MAX_RETRY_AFTER_SECONDS
from shopops.environments import Environment


@dataclass(frozen=True)
class Probe:
    service: str
    check: str
    url: str


@dataclass(frozen=True)
class Result:
    probe: Probe
    ok: bool
    status: int | None
    attempts: int
    detail: str


@dataclass(frozen=True)
class Policy:
    attempts: int = 5
    backoff_seconds: float = 1.0
    timeout_seconds: float = 5.0


def probes(environment: Environment) -> list[Probe]:
    found = []
    for service in environment.services:
        base = environment.url(service.name).rstrip("/")
        found.append(Probe(service.name, "health", base + service.health))
        if service.ready:
            found.append(Probe(service.name, "ready", base + service.ready))
    return found


def _wait_after(response: httpx.Response, attempt: int, policy: Policy) -> float:
    header = response.headers.get("Retry-After", "")
    if response.status_code == 429 and header.isdigit():
        return min(float(header), MAX_RETRY_AFTER_SECONDS)
    return float(policy.backoff_seconds * 2 ** (attempt - 1))


def check(probe: Probe, policy: Policy, sleep: Callable[[float], None] = time.sleep) -> Result:
    detail, status = "", None
    with httpx.Client(timeout=policy.timeout_seconds) as client:
        for attempt in range(1, policy.attempts + 1):
            wait = policy.backoff_seconds * 2 ** (attempt - 1)
            try:
                response = client.get(probe.url)
            except httpx.HTTPError as error:
                detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                status = None
            else:
                status = response.status_code
                if status == 200:
                    return Result(probe, True, status, attempt, "")
                detail = _body_status(response)
                wait = _wait_after(response, attempt, policy)
            if attempt < policy.attempts:
                sleep(wait)
    return Result(probe, False, status, policy.attempts, detail)


def _body_status(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    failing = [name for name, item in (body.get("checks") or {}).items() if item.get("status") != "ok"]
    return f"HTTP {response.status_code} {body.get('status', '')} {' '.join(failing)}".strip()


def run(environment: Environment, policy: Policy) -> list[Result]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda probe: check(probe, policy), probes(environment)))


def table(results: list[Result]) -> str:
    rows = [("service", "check", "result", "status", "attempts", "detail")]
    for result in results:
        rows.append(
            (
                result.probe.service,
                result.probe.check,
                "ok" if result.ok else "FAIL",
                str(result.status or "-"),
                str(result.attempts),
                result.detail,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )
