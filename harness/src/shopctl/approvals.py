"""`shopctl approvals list | approve ID | reject ID`: the release manager's side of the release-approval
flow (the `approvals` stand-in locally; contract power-platform/approvals/release-approval.openapi.yaml).

`add_parser(sub)` adds the subcommand; `main(args, open_workspace)` runs it. The service URL is `--url`,
else SHOP_APPROVALS_URL, else the `approvals` component of the local platform (its running port).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any, TextIO

import httpx

from shopctl.workspace import Workspace

URL_ENV = "SHOP_APPROVALS_URL"
COMPONENT = "approvals"
EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_UNREACHABLE = 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("approvals", help="list, approve or reject release approval requests")
    parser.add_argument(
        "--url", help=f"approval service base URL (default: ${URL_ENV} or the local stand-in)"
    )
    actions = parser.add_subparsers(dest="approvals_command", required=True)
    listing = actions.add_parser("list", help="approval requests, newest first")
    listing.add_argument("--status", choices=["pending", "approved", "rejected", "expired"])
    for verb in ("approve", "reject"):
        decide = actions.add_parser(verb, help=f"{verb} a pending release")
        decide.add_argument("release_id", metavar="ID")
        decide.add_argument("--comment", "-m", default=None)
        decide.add_argument("--as", dest="approver", default=None, help="approver name (default: $USER)")


def service_url(
    args: argparse.Namespace, open_workspace: Callable[[], Workspace], environ: Mapping[str, str]
) -> str:
    if args.url:
        return str(args.url)
    if environ.get(URL_ENV):
        return environ[URL_ENV]
    from shopctl.commands import ports_in_use, running_state

    workspace = open_workspace()
    component = workspace.resolve([COMPONENT], ports_in_use(running_state(workspace)))[0]
    return f"http://{component.host}:{component.ports['http']}"


def _table(items: list[dict[str, Any]], out: TextIO) -> None:
    columns = ("releaseId", "environment", "status", "requestedAt", "approver", "comment")
    rows = [[str(item.get(c) or "") for c in columns] for item in items]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    for row in [list(columns), *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(), file=out
        )


def _problem_text(response: httpx.Response) -> str:
    try:
        body = response.json()
        return f"{body.get('title', response.status_code)}: {body.get('detail', '')}"
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"


def main(
    args: argparse.Namespace,
    open_workspace: Callable[[], Workspace],
    environ: Mapping[str, str] = os.environ,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    url = service_url(args, open_workspace, environ)
    try:
        with httpx.Client(base_url=url, timeout=10.0) as client:
            if args.approvals_command == "list":
                params = {"status": args.status} if args.status else {}
                response = client.get("/releases", params=params)
                if response.status_code != 200:
                    print(f"error: {_problem_text(response)}", file=err)
                    return EXIT_REFUSED
                _table(response.json()["items"], out)
                return EXIT_OK
            body: dict[str, str] = {"approver": args.approver or environ.get("USER") or getpass.getuser()}
            if args.comment:
                body["comment"] = args.comment
            response = client.post(f"/releases/{args.release_id}/{args.approvals_command}", json=body)
    except httpx.TransportError as error:
        print(f"error: approval service at {url} unreachable: {error}", file=err)
        return EXIT_UNREACHABLE
    if response.status_code != 200:
        print(f"error: {_problem_text(response)}", file=err)
        return EXIT_REFUSED
    decision = response.json()
    print(f"release {decision['releaseId']} {decision['status']} by {decision['approver']}", file=out)
    return EXIT_OK
