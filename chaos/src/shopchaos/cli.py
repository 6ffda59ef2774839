"""`shop-chaos run|validate [PATH ...]` (or `python -m shopchaos`): validate experiments, then run them."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from shopctl.workspace import Workspace, find_platform_file

from shopchaos.platform import ChaosError
from shopchaos.runner import DEFAULT_COMPONENTS, EXIT_FAILED, EXIT_INTERRUPTED, run_all, say
from shopchaos.validate import Problem, load_experiment, validate

EXIT_INVALID = 2
EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shop-chaos", description="Contoso Shop chaos experiments.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("run", "validate, then run experiments"), ("validate", "only validate")):
        command = sub.add_parser(name, help=text)
        command.add_argument("paths", nargs="*", type=Path, help=f"files or folders (default: {EXPERIMENTS})")
        command.add_argument("--short", action="store_true", help="only experiments tagged `short`")
        command.add_argument("--state-dir", help="the platform's state directory (default: .shop)")
    run = sub.choices["run"]
    run.add_argument("--results", type=Path, default=EXPERIMENTS.parent / "results", help="where reports go")
    run.add_argument("--components", nargs="+", default=list(DEFAULT_COMPONENTS), help="what to start")
    run.add_argument("--free-ports", action="store_true", help="start the platform on free ports")
    run.add_argument("--keep-platform", action="store_true", help="leave a platform this run started")
    return parser


def experiment_files(paths: list[Path], short: bool) -> list[Path]:
    found: list[Path] = []
    for path in paths or [EXPERIMENTS]:
        found += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if short:
        found = [p for p in found if "short" in (_tags(p))]
    return found


def _tags(path: Path) -> list[str]:
    try:
        return list(load_experiment(path).get("tags") or [])
    except ChaosError:
        return ["short"]  # kept in the set, so validation reports the file instead of skipping it


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.state_dir:
        os.environ["SHOP_STATE_DIR"] = str(Path(args.state_dir).resolve())
    workspace = Workspace.open(find_platform_file(None, os.environ), None)
    paths = experiment_files(args.paths, args.short)
    if not paths:
        say("no experiment files found")
        return EXIT_INVALID
    components = list(workspace.platform.components)
    problems: list[Problem] = [problem for path in paths for problem in validate(path, components)]
    if problems:
        for problem in problems:
            print(f"invalid: {problem}", file=sys.stderr)
        print(f"{len(problems)} problem(s); nothing was run and no fault applied", file=sys.stderr)
        return EXIT_INVALID
    say(f"{len(paths)} experiment(s) valid")
    if args.command == "validate":
        return 0
    outcome = run_all(paths, workspace, args.results, args.components, args.free_ports, args.keep_platform)
    if outcome.interrupted:
        return EXIT_INTERRUPTED
    return 0 if outcome.rows and all(row.passed for row in outcome.rows) else EXIT_FAILED


def entry() -> None:
    # A run started from a script's background job inherits SIGINT ignored, and Python then leaves it so;
    # Ctrl-C (or `kill -INT`) must still stop the run and put back what it changed (runner.run_all).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
