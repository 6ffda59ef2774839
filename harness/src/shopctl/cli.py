"""Command line: `shopctl up | down | status | logs | run TASK | seed | replay | record`."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from shopctl import commands
from shopctl.errors import ShopError
from shopctl.resolve import parse_port_overrides
from shopctl.scenarios import commands as scenario_commands
from shopctl.workspace import Workspace, find_platform_file


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shopctl", description="Run the Contoso Shop local platform.")
    parser.add_argument("--platform", help="platform description (default: harness/platform.yaml)")
    parser.add_argument("--state-dir", help="logs, data and run state (default: .shop in the repo root)")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="start components in dependency order and wait until ready")
    up.add_argument("names", nargs="*", help="components to start, with their dependencies (default: all)")
    up.add_argument("--detach", action="store_true", help="run in the background; stop with `down`")
    up.add_argument(
        "--port",
        action="append",
        default=[],
        metavar="COMPONENT.PORT=N",
        help="override a port (also SHOP_PORT_<COMPONENT>_<PORT>=N)",
    )

    sub.add_parser("down", help="stop a running platform")

    status = sub.add_parser("status", help="health of each component")
    status.add_argument("names", nargs="*")

    run = sub.add_parser("run", help="run a one-shot task of the platform (see `tasks:` in platform.yaml)")
    run.add_argument("task")
    sub.add_parser("seed", help="load the demo data (= run seed)")

    logs = sub.add_parser("logs", help="show a component's log")
    logs.add_argument("name")
    logs.add_argument("-n", "--lines", type=int, default=50)
    logs.add_argument("-f", "--follow", action="store_true")

    scenario_commands.add_parsers(sub)
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("replay", "record"):
        # An env-file target needs no platform description; `local` opens it when it is asked for.
        return scenario_commands.main(
            args, lambda: Workspace.open(find_platform_file(args.platform, os.environ), args.state_dir)
        )
    workspace = Workspace.open(find_platform_file(args.platform, os.environ), args.state_dir)
    if args.command == "up":
        overrides = parse_port_overrides(args.port)
        components = workspace.resolve(args.names, overrides)
        supervisor_argv = [
            f"--platform={workspace.platform_file}",
            f"--state-dir={workspace.state_dir}",
            "up",
            *args.names,
            *(f"--port={item}" for item in args.port),
        ]
        return commands.up(workspace, components, args.detach, supervisor_argv)
    if args.command == "down":
        return commands.down(workspace)
    if args.command == "status":
        running = commands.running_state(workspace)
        components = workspace.resolve(args.names, commands.ports_in_use(running))
        return commands.status(workspace, components, running)
    if args.command in ("run", "seed"):
        overrides = commands.ports_in_use(commands.running_state(workspace))
        task = workspace.task(args.task if args.command == "run" else "seed", overrides)
        return commands.run_task(
            workspace, task, workspace.resolve(task.needs, overrides) if task.needs else []
        )
    return commands.logs(workspace, args.name, args.lines, args.follow)


def main() -> None:
    logging.basicConfig(level=os.environ.get("SHOPCTL_LOG_LEVEL", "WARNING"), format="%(message)s")
    try:
        sys.exit(run(sys.argv[1:]))
    except ShopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(commands.EXIT_FAILED)
