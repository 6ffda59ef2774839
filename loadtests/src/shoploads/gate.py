"""The gate as Locust event hooks: bad input stops the run before it starts, and at the end of a headless
run each threshold is printed with its measured value and the exit code says whether all held.

Options added to Locust: `--thresholds FILE` (no file: no gate, Locust's own exit code on any failure) and
`--summary-json FILE` (the measured figures and the verdict).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from locust import events
from locust.argument_parser import LocustArgumentParser
from locust.env import Environment
from locust.runners import WorkerRunner

from shoploads.hooks import listen
from shoploads.measure import measure
from shoploads.reach import UnreachableTargetError, check_reachable
from shoploads.settings import shop_urls
from shoploads.thresholds import Thresholds, ThresholdsError, load_thresholds
from shoploads.verdict import judge

EXIT_BAD_INPUT = 2
_gate: dict[str, Thresholds] = {}
# Distributed runs: requests each worker reported to the master, by worker id.
_worker_requests: dict[str, int] = {}


def _options(parser: LocustArgumentParser) -> None:
    parser.add_argument("--thresholds", default="", help="thresholds YAML; the run fails if one is missed")
    parser.add_argument("--summary-json", default="", help="write the measured figures and verdict here")


def _refuse(message: str) -> None:
    print(f"load gate: {message}", file=sys.stderr, flush=True)
    sys.exit(EXIT_BAD_INPUT)


def _check_input(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    if options is None or isinstance(environment.runner, WorkerRunner):
        return
    if options.thresholds:
        try:
            _gate["thresholds"] = load_thresholds(Path(options.thresholds))
        except ThresholdsError as exc:
            _refuse(str(exc))
    try:
        urls = shop_urls(environment.host)
    except ValueError as exc:
        _refuse(str(exc))
        return
    try:
        check_reachable({"product": urls.product, "order": urls.order})
    except UnreachableTargetError as exc:
        _refuse(str(exc))


def _count_worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    reported = sum(int(entry.get("num_requests", 0)) for entry in data.get("stats", []))
    _worker_requests[client_id] = _worker_requests.get(client_id, 0) + reported


def _verdict(environment: Environment, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner) or environment.parsed_options is None:
        return
    measured = measure(environment.stats)
    thresholds = _gate.get("thresholds")
    checks = judge(thresholds, measured) if thresholds else []
    if thresholds:
        print(f"\nload gate ({thresholds.source}):")
        for check in checks:
            print("  " + check.line())
        passed = all(c.passed for c in checks)
        print(f"load gate: {'PASSED' if passed else 'FAILED'}", flush=True)
        environment.process_exit_code = 0 if passed else 1
    summary_file = environment.parsed_options.summary_json
    if summary_file:
        summary = {
            "host": environment.host,
            "users": environment.runner.target_user_count if environment.runner else None,
            "workers": dict(_worker_requests),
            "measured": measured.as_json(),
            "thresholds": thresholds.source if thresholds else None,
            "checks": [c.__dict__ for c in checks],
            "passed": all(c.passed for c in checks) if thresholds else measured.failures == 0,
        }
        Path(summary_file).parent.mkdir(parents=True, exist_ok=True)
        Path(summary_file).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


listen(events.init_command_line_parser, _options)
listen(events.init, _check_input)
listen(events.worker_report, _count_worker_report)
listen(events.quitting, _verdict)
