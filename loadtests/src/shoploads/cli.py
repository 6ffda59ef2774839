"""`shop-load`: check the input, find (or start) the target, run Locust headless, write the results.

    shop-load run   [--users 60 --time 60s]          # HTML, CSV and JSON summary; no thresholds
    shop-load gate  [--thresholds loadtests/thresholds.yaml]   # the same, exit 1 when a threshold is missed
    shop-load curve                                  # stepped users, then curve.png
    shop-load smoke                                  # a few seconds, zero errors

Exit codes: 0 passed, 1 a threshold (or, without thresholds, any request) failed, 2 bad input (thresholds
file, target, unreachable service) before any load was sent.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from shoploads.footprint import FootprintSampler, platform_pids
from shoploads.reach import UnreachableTargetError, check_reachable
from shoploads.target import LoadTargetError, load_target
from shoploads.thresholds import ThresholdsError, load_thresholds

PACKAGE = Path(__file__).resolve().parent
LOADTESTS = PACKAGE.parents[1]
EXIT_BAD_INPUT = 2
# (users, run time) of each mode; the curve's come from its shape (shape.py).
DEFAULTS: dict[str, tuple[int, str]] = {
    "run": (60, "60s"),
    # 75 shoppers (half the mix), one checkout per 1.3 s each: 58 orders/s offered, above the goal of 50,
    # as long as sagas end before the shopper's first poll (0.5 s; mix.py). Slower ones stretch a
    # checkout past the pace and the rate falls: a saga of a second gives about 42 orders/s.
    "gate": (150, "60s"),
    "smoke": (8, "4s"),
    "curve": (0, ""),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shop-load", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("mode", choices=sorted(DEFAULTS))
    parser.add_argument("--target", default="local", metavar="local|ENV_FILE", help="default: local platform")
    parser.add_argument("--host", help="one base URL serving /products and /orders (an ingress)")
    parser.add_argument("--state-dir", help="the local platform's state directory (default .shop)")
    parser.add_argument("--no-start", action="store_true", help="local: do not start the platform if down")
    parser.add_argument("--users", type=int, help="concurrent users (run 60, gate 150, smoke 8)")
    parser.add_argument("--spawn-rate", type=float, default=20.0)
    parser.add_argument("--time", help="run time, Locust syntax (60s, 2m)")
    parser.add_argument("--thresholds", type=Path, default=LOADTESTS / "thresholds.yaml")
    parser.add_argument("--results", type=Path, default=LOADTESTS / "results")
    parser.add_argument("--workers", type=int, default=0, help="run distributed: a master and N workers")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    gated = args.mode == "gate"
    try:
        if gated:
            load_thresholds(args.thresholds)  # before anything starts
        target = load_target(args.target, args.host, args.state_dir, start=not args.no_start)
        check_reachable({"product": target.product_url, "order": target.order_url})
    except (ThresholdsError, LoadTargetError, UnreachableTargetError) as exc:
        print(f"shop-load: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = args.results / args.mode
    out.mkdir(parents=True, exist_ok=True)
    users = args.users if args.users is not None else DEFAULTS[args.mode][0]
    run_time = args.time or DEFAULTS[args.mode][1]
    locustfile = PACKAGE / ("curve_locustfile.py" if args.mode == "curve" else "locustfile.py")
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(locustfile),
        "--headless",
        "--host",
        target.order_url,
        "--html",
        str(out / "report.html"),
        "--csv",
        str(out / "stats"),
        "--summary-json",
        str(out / "summary.json"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    if args.mode == "curve":
        command.append("--csv-full-history")
    else:
        command += ["--users", str(users), "--spawn-rate", str(args.spawn_rate), "--run-time", run_time]
        if args.mode in ("gate", "run"):
            command.append("--reset-stats")  # the figures are the sustained load, not the ramp
    if gated:
        command += ["--thresholds", str(args.thresholds)]
    env = {**os.environ, **target.environ()}
    where = f"product {target.product_url}, order {target.order_url}"
    print(f"shop-load {args.mode}: target {target.name} ({where})")
    pids = platform_pids(target.state_dir) if target.state_dir and args.mode in ("gate", "run") else {}
    if pids and args.workers <= 0:
        ramp_s = users / args.spawn_rate if args.spawn_rate > 0 else 0.0
        code = _run_profiled(command, env, pids, ramp_s, out)
    else:
        code = _run(command, env, args.workers)
    if args.mode == "curve" and code in (0, 1):
        from shoploads.curve import draw_curve, read_curve  # matplotlib: seconds to import, curve only

        png = out / "curve.png"
        draw_curve(read_curve(out / "stats_stats_history.csv"), png)
        print(f"shop-load curve: {png}")
    print(f"shop-load {args.mode}: results in {out} (exit {code})")
    return code


def _run_profiled(
    command: list[str], env: dict[str, str], pids: dict[str, int], ramp_s: float, out: Path
) -> int:
    """Runs Locust while sampling the platform's processes from the end of the ramp (when the statistics are
    reset) to the end of the run; prints where the CPU went and writes footprint.json."""
    locust = subprocess.Popen(command, env=env)
    try:
        return locust.wait(timeout=ramp_s)
    except subprocess.TimeoutExpired:
        pass
    sampler = FootprintSampler(pids, {"locust": locust.pid})
    sampler.start()
    code = locust.wait()
    footprint = sampler.stop()
    try:
        orders = int(json.loads((out / "summary.json").read_text())["measured"]["orders_placed"])
    except (OSError, ValueError, KeyError, TypeError):
        orders = 0
    print(f"\nwhere the CPU went ({footprint.window_s:.0f} s after the ramp, {orders} orders placed):")
    print(footprint.table(orders))
    footprint.write(out / "footprint.json", orders)
    return code


def _run(command: list[str], env: dict[str, str], workers: int) -> int:
    if workers <= 0:
        return subprocess.call(command, env=env)
    port = _free_port()
    master = subprocess.Popen(
        [
            *command,
            *("--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port)),
            *("--expect-workers", str(workers), "--expect-workers-max-wait", "30"),
        ],
        env=env,
    )
    worker_command = [
        command[0],
        "-f",
        command[2],
        "--worker",
        "--master-port",
        str(port),
        "--loglevel",
        "WARNING",
    ]
    children = [subprocess.Popen(worker_command, env=env) for _ in range(workers)]
    code = master.wait()
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.terminate()
            child.wait()
    return code


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    raise SystemExit(main())
