"""``shop-monitoring generate [--check]``, ``prometheus``, ``verify`` and ``render``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shopmonitoring import generate, prometheus_runner, verify


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="shop-monitoring", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write rules, PrometheusRule, Azure rule groups, dashboards")
    gen.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a generated file is stale"
    )
    prom = commands.add_parser(
        "prometheus", help="write prometheus.yml for the running platform, run Prometheus"
    )
    prom.add_argument("--platform", type=Path, default=Path("harness/platform.yaml"))
    prom.add_argument("--data-dir", type=Path, required=True)
    prom.add_argument("--listen", required=True, help="host:port")
    prom.add_argument("--binary", default=prometheus_runner.PROMETHEUS)
    check = commands.add_parser(
        "verify",
        help="every scrape target up and every dashboard query returning data (exit 0/1; 2: no answer)",
    )
    check.add_argument("--prometheus", required=True, help="its URL, e.g. http://127.0.0.1:9090")
    check.add_argument(
        "--dashboards", type=Path, default=verify.DASHBOARDS, help="a folder of dashboard JSON"
    )
    check.add_argument(
        "--wait", type=float, default=0, help="retry for up to this many seconds until it passes"
    )
    check.add_argument("--window", type=verify.seconds, default=verify.WINDOW, help="range of rate() etc.")
    draw = commands.add_parser("render", help="draw a dashboard's panels from Prometheus into a PNG")
    draw.add_argument("--prometheus", required=True, help="its URL, e.g. http://127.0.0.1:9090")
    draw.add_argument("--dashboard", required=True, help="its uid, e.g. shop-saga")
    draw.add_argument("--out", type=Path, required=True, help="the PNG to write")
    draw.add_argument("--range", dest="span", type=_duration, default="15m", help="how far back (15m, 1h)")
    draw.add_argument("--scrape-interval", type=_duration, default="5s", help="the data source's, for rates")
    draw.add_argument("--dashboards", type=Path, default=verify.DASHBOARDS, help="a folder of dashboard JSON")
    args = parser.parse_args(argv)

    if args.command == "generate":
        if args.check:
            stale = generate.stale()
            for path in stale:
                print(f"stale: {path} (run `make monitoring-generate`)", file=sys.stderr)
            return 1 if stale else 0
        for path in generate.write():
            print(f"wrote {path}")
        return 0
    if args.command == "verify":
        return verify.verify(args.prometheus, args.dashboards, args.wait, args.window)
    if args.command == "render":
        return _render(args)
    prometheus_runner.run(args.platform.resolve(), args.data_dir.resolve(), args.listen, args.binary)
    return 0  # not reached: run() execs Prometheus


def _duration(text: str) -> str:
    verify.seconds(text)  # argparse reports the ValueError as a bad value
    return text


def _render(args: argparse.Namespace) -> int:
    # matplotlib only here: `shop-monitoring prometheus` (a platform component) starts without it
    from shopmonitoring import render

    try:
        render.render(
            args.prometheus, args.dashboard, args.out, args.span, args.scrape_interval, args.dashboards
        )
    except verify.PrometheusUnreachableError as unreachable:
        print(unreachable, file=sys.stderr)
        return verify.EXIT_UNREACHABLE
    except LookupError as missing:
        print(missing, file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
