"""Running scenarios against a target: which to run or skip, what the target must offer (checked before
anything is sent), independent scenarios side by side (bounded), the others alone, one at a time.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from shopctl.errors import ShopError
from shopctl.scenarios import catalog, observe
from shopctl.scenarios.client import ShopClient
from shopctl.scenarios.context import ExpectationFailedError, Failure, ScenarioContext
from shopctl.scenarios.model import LoadedScenario, Scenario, Step, step_kind
from shopctl.scenarios.steps import StepRunner
from shopctl.scenarios.targets import REQUIRED, Target, TargetError, check_reachable

log = logging.getLogger(__name__)


@dataclass
class ScenarioResult:
    loaded: LoadedScenario
    outcome: str  # passed | failed | error | skipped
    seconds: float = 0.0
    orders: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None
    reason: str | None = None
    latency: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.loaded.name

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": str(self.loaded.file),
            "description": self.loaded.scenario.description,
            "tags": self.loaded.scenario.tags,
            "outcome": self.outcome,
            "seconds": round(self.seconds, 2),
            "orders": self.orders,
            "failures": [f.as_json() for f in self.failures],
            "error": self.error,
            "skipReason": self.reason,
            "latency": {k: v for k, v in self.latency.items() if k != "measured_at"},
            "notes": self.notes,
        }


class Progress(Protocol):
    def started(self, name: str) -> None: ...
    def step(self, name: str, label: str) -> None: ...
    def finished(self, result: ScenarioResult) -> None: ...


@dataclass(frozen=True)
class Options:
    run_id: str
    parallel: int = 4
    http_timeout: float = 30.0


def select(scenarios: list[LoadedScenario], tags: set[str], exclude: set[str]) -> list[LoadedScenario]:
    chosen = []
    for loaded in scenarios:
        own = set(loaded.scenario.tags)
        if tags and not own & tags:
            continue
        if own & exclude:
            continue
        chosen.append(loaded)
    return chosen


def _all_steps(steps: list[Step]) -> Iterator[Step]:
    for step in steps:
        yield step
        kind = step_kind(step)
        if kind in ("repeat", "fault", "suspend"):
            yield from _all_steps(getattr(step, kind).steps)


def needs(scenario: Scenario) -> set[str]:
    """What a scenario needs of a target: services, `admin-token`, `local`."""
    wanted = set(REQUIRED) - {"payment"}
    if any(fixture.create for fixture in scenario.products.values()):
        wanted.add("admin-token")
    if "local" in scenario.requires:
        wanted.add("local")
    for step in _all_steps(scenario.steps):
        kind = step_kind(step)
        body = getattr(step, kind or "")
        if kind == "expect":
            if body.payment is not None:
                wanted.add("payment")
            if body.notifications is not None:
                wanted.add("mailbox")
        elif kind == "fault":
            wanted.update(f"{rule.broker}-admin" for rule in body.rules)
        elif kind == "suspend":
            wanted.add("local")
    return wanted


def skip_reason(scenario: Scenario, target: Target) -> str | None:
    wanted = needs(scenario)
    if "local" in wanted and not target.is_local:
        return "needs the local platform (process control or `requires: [local]`)"
    missing = sorted(s for s in wanted - {"local", "admin-token"} if not target.has(s))
    if missing:
        return f"target {target.name} has no {', '.join(missing)}"
    return None


async def preflight(runnable: list[LoadedScenario], target: Target) -> None:
    """Everything the runnable scenarios need of the target, checked before anything is sent."""
    services = set(REQUIRED)
    for loaded in runnable:
        services |= needs(loaded.scenario) - {"local", "admin-token"}
    missing = sorted(s for s in REQUIRED if not target.has(s))
    if missing:
        raise TargetError(f"target {target.name} has no {', '.join(missing)} (is it running?)")
    creating = [x.name for x in runnable if "admin-token" in needs(x.scenario)]
    if creating and not target.admin_token:
        names = ", ".join(creating[:5]) + (" ..." if len(creating) > 5 else "")
        raise TargetError(
            f"scenarios {names} create products through the product admin API, which needs a bearer token; "
            f"target {target.name}: {target.token_source}"
        )
    await check_reachable(target, services)


async def run_all(
    scenarios: list[LoadedScenario], target: Target, options: Options, progress: Progress
) -> list[ScenarioResult]:
    results: dict[str, ScenarioResult] = {}
    runnable = []
    for loaded in scenarios:
        reason = skip_reason(loaded.scenario, target)
        if reason:
            results[loaded.name] = ScenarioResult(loaded, "skipped", reason=reason)
        else:
            runnable.append(loaded)
    if runnable:
        await preflight(runnable, target)
    for result in results.values():
        progress.finished(result)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
    async with httpx.AsyncClient(
        timeout=options.http_timeout, limits=limits, trust_env=not target.is_local
    ) as http:
        client = ShopClient(target, http)
        gate = asyncio.Semaphore(max(1, options.parallel))

        async def side_by_side(loaded: LoadedScenario) -> None:
            async with gate:
                results[loaded.name] = await run_one(loaded, client, options, progress)

        await asyncio.gather(*(side_by_side(x) for x in runnable if x.scenario.independent))
        for loaded in (x for x in runnable if not x.scenario.independent):
            results[loaded.name] = await run_one(loaded, client, options, progress)
    return [results[loaded.name] for loaded in scenarios]


async def run_one(
    loaded: LoadedScenario, client: ShopClient, options: Options, progress: Progress
) -> ScenarioResult:
    ctx = ScenarioContext(loaded, options.run_id, client)
    progress.started(loaded.name)
    started = time.perf_counter()
    result = ScenarioResult(loaded, "passed")
    try:
        await catalog.prepare(ctx)
        await StepRunner(ctx, lambda label: progress.step(loaded.name, label)).run(loaded.scenario.steps)
    except ExpectationFailedError as exc:
        result.outcome, result.failures = "failed", exc.failures
    except asyncio.CancelledError:
        result.outcome, result.error = "error", f"interrupted during {ctx.current or 'preparing products'}"
        result.seconds, result.orders = time.perf_counter() - started, ctx.order_ids_created()
        progress.finished(result)
        raise
    except ShopError as exc:
        result.outcome, result.error = "error", f"{ctx.current or 'preparing products'}: {exc}"
    except Exception as exc:  # a bug or an answer we did not foresee: reported, the others go on
        log.debug("scenario %s crashed", loaded.name, exc_info=True)
        where = ctx.current or "preparing products"
        result.outcome = "error"
        result.error = f"{where}: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
    finally:
        await catalog.cleanup(ctx)
        result.seconds = time.perf_counter() - started
        result.orders = ctx.order_ids_created()
        result.latency = observe.latency(ctx)
        result.notes = ctx.notes
    progress.finished(result)
    return result
