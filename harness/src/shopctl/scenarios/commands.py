"""`shopctl replay` and `shopctl record`: arguments in, exit code out.

Exit codes: 0 every scenario passed (or was skipped); 1 an expectation failed or a scenario hit an error;
2 refused input (a scenario that does not load, an unknown or unusable target, an unreachable service, a
missing token), reported before anything is sent.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from shopctl import commands as platform_commands
from shopctl.errors import ShopError
from shopctl.scenarios import report
from shopctl.scenarios.model import load_all
from shopctl.scenarios.runner import Options, run_all, select
from shopctl.scenarios.targets import Target, TargetError, env_file_target, local_target
from shopctl.workspace import Workspace

T = TypeVar("T")
EXIT_FAILED = 1
EXIT_REFUSED = 2


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    replay = sub.add_parser("replay", help="replay QA order scenarios (scenarios/) against a target")
    replay.add_argument(
        "paths", nargs="+", metavar="FILE|DIR", type=Path, help="scenario files or directories"
    )
    _target_arguments(replay)
    replay.add_argument("--tags", default="", help="only scenarios with any of these tags (comma separated)")
    replay.add_argument("--exclude-tags", default="", help="leave out scenarios with any of these tags")
    replay.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML here")
    replay.add_argument("--json", type=Path, metavar="FILE", help="write the results as JSON here")
    replay.add_argument("--parallel", type=int, default=4, help="independent scenarios at once (default 4)")
    replay.add_argument("--run-id", help="reuse a run id (the generated emails, keys and ids derive from it)")
    replay.add_argument("--check", action="store_true", help="only load and validate the scenarios")

    record = sub.add_parser("record", help="write a scenario that replays the orders of a live session")
    record.add_argument(
        "--since", required=True, metavar="DURATION|TIMESTAMP", help="e.g. 15m, 2h, 2025-01-31T10:00Z"
    )
    record.add_argument("--out", required=True, type=Path, metavar="FILE")
    record.add_argument("--name", help="the scenario's name (default: recorded-<time>)")
    _target_arguments(record)


def _target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        default="local",
        metavar="local|ENV_FILE",
        help="the running `make up` platform, or an env file",
    )
    parser.add_argument(
        "--start", action="store_true", help="with --target local: start the platform if not running"
    )


def main(args: argparse.Namespace, open_workspace: Callable[[], Workspace]) -> int:
    try:
        if args.command == "replay":
            return replay(args, open_workspace)
        from shopctl.scenarios.recorder import record

        target = resolve_target(args.target, open_workspace, args.start)
        return record(target, args.since, args.out, args.name)
    except ShopError as exc:  # InvalidScenarioError, TargetError, ...: nothing was sent
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED


def resolve_target(spec: str, open_workspace: Callable[[], Workspace], start: bool) -> Target:
    if spec != "local":
        path = Path(spec)
        if not path.is_file():
            raise TargetError(
                f"unknown target {spec!r}: give `local` or an env file (see scenarios/targets/)"
            )
        return env_file_target(path)
    try:
        workspace = open_workspace()
    except ShopError as exc:
        raise TargetError(f"target local: {exc}") from exc
    state = platform_commands.running_state(workspace)
    if state is None or state.status != "ready":
        if not start:
            raise TargetError(
                f"target local: no running platform recorded in {workspace.state_path}; "
                "start it with `make up ARGS=--detach`, or pass --start"
            )
        components = workspace.resolve()
        argv = [f"--platform={workspace.platform_file}", f"--state-dir={workspace.state_dir}", "up"]
        if platform_commands.up(workspace, components, True, argv) != 0:
            raise TargetError("target local: the platform did not start (see above)")
        state = platform_commands.running_state(workspace)
        if state is None:
            raise TargetError("target local: the platform started but left no run state")
    product = workspace.platform.components.get("product")
    return local_target(state, workspace.platform.defaults.host, product.env if product else {})


async def _until_signalled(work: Coroutine[Any, Any, T]) -> T:
    """SIGINT or SIGTERM cancels the run, so every block's cleanup runs (fault rules removed, stopped
    processes continued, created products deleted) and what ran so far is still reported."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        return await task
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def replay(args: argparse.Namespace, open_workspace: Callable[[], Workspace]) -> int:
    scenarios = load_all(args.paths)  # refuses bad input before anything else happens
    tags = {t for t in args.tags.split(",") if t}
    exclude = {t for t in args.exclude_tags.split(",") if t}
    chosen = select(scenarios, tags, exclude)
    if not chosen:
        raise ShopError(
            f"no scenario under {', '.join(map(str, args.paths))} matches --tags {args.tags or '(any)'} "
            f"--exclude-tags {args.exclude_tags or '(none)'}"
        )
    if args.check:
        print(f"{len(chosen)} scenario(s) valid: {', '.join(s.name for s in chosen)}")
        return 0
    target = resolve_target(args.target, open_workspace, args.start)
    run_id = args.run_id or secrets.token_hex(4)
    options = Options(run_id=run_id, parallel=args.parallel)
    progress = report.LiveProgress()
    started_at = datetime.now(UTC)
    print(
        f"replaying {len(chosen)} scenario(s) against {target.name} (run {run_id}, "
        f"{options.parallel} independent at once, the others alone)",
        flush=True,
    )
    clock = time.perf_counter()
    interrupted = False
    try:
        results = asyncio.run(_until_signalled(run_all(chosen, target, options, progress)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        interrupted = True
        results = progress.done
    elapsed = time.perf_counter() - clock
    meta = {
        "run_id": run_id,
        "target": target.name,
        "started_at": started_at.isoformat(),
        "seconds": round(elapsed, 2),
        "interrupted": interrupted,
    }
    print()
    print(report.summary_table(results))
    detail = report.details(results)
    if detail:
        print()
        print(detail)
    counts = report.totals(results)
    print(
        f"\n{counts['scenarios']} scenario(s): {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['error']} error(s), {counts['skipped']} skipped in {elapsed:.1f} s (run {run_id}, target "
        f"{target.name})" + (" — interrupted" if interrupted else "")
    )
    if args.junit:
        report.write_junit(args.junit, results, meta)
    if args.json:
        report.write_json(args.json, results, meta)
    return EXIT_FAILED if interrupted or counts["failed"] or counts["error"] else 0
