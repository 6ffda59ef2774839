"""Runs pytest once per Python package, several packages at a time, and prints one total.

Each package keeps its own conftest, so each gets its own pytest process. Most of the suites' time is
spent waiting on real servers (locks, timeouts, process restarts), not computing, so running a few
packages side by side shortens `make test` even on two cores. Every test binds ports the OS hands out,
so packages never collide. Slowest packages start first: the previous run's timings when there are some,
else the order of the workspace's members (root pyproject.toml lists the slow ones first).

Usage: test_python.py [--jobs N] [pytest args...]   (TEST_JOBS sets the default; 1 runs them in turn)
pytest's exit code 5 ("no tests collected") is not a failure: a new package may have none yet.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / ".shop" / "test-results"
TIMINGS = ROOT / ".shop" / "test-timings.txt"
NO_TESTS_COLLECTED = 5


@dataclass(frozen=True)
class Outcome:
    tests_dir: str
    package: str
    exit_code: int
    seconds: float

    @property
    def failed(self) -> bool:
        return self.exit_code not in (0, NO_TESTS_COLLECTED)


def packages() -> list[str]:
    listing = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "workspace.py"), "python-tests"],
        check=True,
        capture_output=True,
        text=True,
    )
    return [line for line in listing.stdout.splitlines() if line]


def previous_timings() -> dict[str, float]:
    if not TIMINGS.exists():
        return {}
    timings: dict[str, float] = {}
    for line in TIMINGS.read_text().splitlines():
        seconds, _, package = line.partition(" ")
        try:
            timings[package] = float(seconds)
        except ValueError:
            continue
    return timings


def report_name(tests_dir: str) -> str:
    return tests_dir.removesuffix("/tests").replace("/", "-")


def run_package(tests_dir: str, pytest_args: list[str], print_lock: threading.Lock) -> Outcome:
    name = tests_dir.removesuffix("/tests")
    log = RESULTS / f"{report_name(tests_dir)}.log"
    started = time.monotonic()
    with log.open("w") as output:
        code = subprocess.call(
            [
                str(ROOT / ".venv" / "bin" / "pytest"),
                tests_dir,
                "-q",
                f"--junitxml={RESULTS / report_name(tests_dir)}.xml",
                *pytest_args,
            ],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    outcome = Outcome(tests_dir, name, code, time.monotonic() - started)
    with print_lock:
        # One package's output at a time, whole, so parallel runs read like sequential ones.
        print(f"=== pytest {name} ({outcome.seconds:.0f} s)", flush=True)
        sys.stdout.write(log.read_text())
        sys.stdout.flush()
    return outcome


def totals() -> dict[str, int]:
    counts = dict(tests=0, failures=0, errors=0, skipped=0)
    for report in RESULTS.glob("*.xml"):
        for suite in ET.parse(report).getroot().iter("testsuite"):
            for key in counts:
                counts[key] += int(suite.get(key, 0))
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("TEST_JOBS", "3")))
    args, pytest_args = parser.parse_known_args()
    timings = previous_timings()
    queue = sorted(packages(), key=lambda tests_dir: -timings.get(tests_dir, 0.0))
    RESULTS.mkdir(parents=True, exist_ok=True)
    for stale in [*RESULTS.glob("*.xml"), *RESULTS.glob("*.log")]:
        stale.unlink()

    started = time.monotonic()
    print_lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(lambda tests_dir: run_package(tests_dir, pytest_args, print_lock), queue))
    TIMINGS.write_text("".join(f"{o.seconds:.1f} {o.tests_dir}\n" for o in outcomes))

    counts = totals()
    failed = counts["failures"] + counts["errors"]
    passed = counts["tests"] - failed - counts["skipped"]
    wall = time.monotonic() - started
    print(
        f"python: {passed} passed, {failed} failed, {counts['skipped']} skipped "
        f"({len(outcomes)} packages, {args.jobs} at a time, {wall:.0f} s)"
    )
    broken = [o.package for o in outcomes if o.failed]
    if broken:
        print(f"pytest failed in: {' '.join(broken)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
