"""Command line: `shopctl up | down | status | logs | run TASK | seed | replay | record | approvals`, and
`restart | kill | pause | resume COMPONENT` on a running platform."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from shopctl import approvals, commands
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
    up.add_argument(
        "names", nargs="*", help="components to start, with their dependencies (default: all outside a group)"
    )
    up.add_argument(
        "--with",
        dest="groups",
        action="append",
        default=[],
        metavar="GROUP",
        help="also start an optional component group (monitoring, analytics)",
    )
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

    _add_action_parsers(sub)
    scenario_commands.add_parsers(sub)
    approvals.add_parser(sub)
    return parser


def _add_action_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    helps = {
        "restart": "stop a component (SIGTERM, then SIGKILL) and start it again; report its new pid",
        "kill": "signal a component's process group (default SIGKILL); it stays down until `restart`",
        "pause": "freeze a component (SIGSTOP): it keeps its connections but answers nothing",
        "resume": "continue a paused component (SIGCONT) and wait until it is ready",
    }
    for action, text in helps.items():
        parser = sub.add_parser(action, help=text)
        parser.add_argument("name", help="a component of the running platform")
        if action == "kill":
            parser.add_argument("--signal", default="SIGKILL", help="SIGKILL (default), SIGTERM, 9, INT ...")
        parser.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
        parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the answer")


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("replay", "record"):
        # An env-file target needs no platform description; `local` opens it when it is asked for.
        return scenario_commands.main(
            args, lambda: Workspace.open(find_platform_file(args.platform, os.environ), args.state_dir)
        )
    if args.command == "approvals":
        return approvals.main(
            args, lambda: Workspace.open(find_platform_file(args.platform, os.environ), args.state_dir)
        )
    workspace = Workspace.open(find_platform_file(args.platform, os.environ), args.state_dir)
    if args.command == "up":
        overrides = parse_port_overrides(args.port)
        names = args.names or workspace.platform.default_names(args.groups)
        components = workspace.resolve(names, overrides)
        supervisor_argv = [
            f"--platform={workspace.platform_file}",
            f"--state-dir={workspace.state_dir}",
            "up",
            *args.names,
            *(f"--with={group}" for group in args.groups),
            *(f"--port={item}" for item in args.port),
        ]
        return commands.up(workspace, components, args.detach, supervisor_argv)
    if args.command == "down":
        return commands.down(workspace)
    if args.command == "status":
        running = commands.running_state(workspace)
        components = workspace.resolve(args.names, commands.ports_in_use(running))
        return commands.status(workspace, components, running)
    if args.command in commands.ACTIONS:
        sig = args.signal if args.command == "kill" else None
        return commands.act(workspace, args.command, args.name, sig, args.json, args.timeout)
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
