"""The promotion gate: submit a release manifest to the approval flow and wait for its decision.

Pipelines call ``await_release_approval`` (or the ``shop-await-release-approval`` script) before promoting
an environment; only ``approved`` lets the promotion continue. Exit codes: 0 approved, 1 rejected,
2 expired or timed out waiting, 3 the approval service answered with an error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

EXIT_CODES = {"approved": 0, "rejected": 1, "expired": 2, "timeout": 2, "error": 3}


@dataclass(frozen=True)
class GateResult:
    outcome: str
    """approved, rejected, expired (by the flow), timeout (by this waiter) or error."""
    detail: str
    decision: dict[str, Any] | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]


def await_release_approval(
    base_url: str,
    manifest: dict[str, Any],
    *,
    timeout_seconds: float,
    poll_seconds: float = 5.0,
    bearer_token: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> GateResult:
    headers = {"Authorization": f"Bearer {bearer_token}"} if bearer_token else {}
    deadline = monotonic() + timeout_seconds
    with httpx.Client(base_url=base_url, headers=headers, timeout=10.0) as client:
        submitted = client.post("/releases", json=manifest)
        if submitted.status_code not in (200, 202):
            return GateResult("error", f"submit answered {submitted.status_code}: {submitted.text}")
        poll_path = submitted.headers.get("Location") or f"/releases/{manifest['releaseId']}"
        decision: dict[str, Any] = submitted.json()
        while True:
            status = decision["status"]
            if status != "pending":
                who = f" by {decision.get('approver')}" if decision.get("approver") else ""
                comment = f": {decision['comment']}" if decision.get("comment") else ""
                return GateResult(status, f"release {manifest['releaseId']} {status}{who}{comment}", decision)
            if monotonic() >= deadline:
                return GateResult(
                    "timeout", f"no decision for release {manifest['releaseId']} within {timeout_seconds:g}s"
                )
            sleep(min(poll_seconds, max(0.0, deadline - monotonic())))
            polled = client.get(poll_path)
            if polled.status_code != 200:
                return GateResult("error", f"poll answered {polled.status_code}: {polled.text}")
            decision = polled.json()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Wait for the release approval before promoting")
    parser.add_argument("--url", required=True, help="approval flow base URL (the stand-in locally)")
    parser.add_argument("--manifest", type=Path, required=True, help="release manifest JSON file")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for a decision")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between polls")
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    result = await_release_approval(
        args.url, manifest, timeout_seconds=args.timeout, poll_seconds=args.interval
    )
    print(
        f"release gate: {result.outcome}: {result.detail}",
        file=sys.stderr if result.exit_code else sys.stdout,
    )
    sys.exit(result.exit_code)
