"""``shop-monitoring generate [--check]`` and ``shop-monitoring prometheus``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shopmonitoring import generate, prometheus_runner


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
    prometheus_runner.run(args.platform.resolve(), args.data_dir.resolve(), args.listen, args.binary)
    return 0  # not reached: run() execs Prometheus


if __name__ == "__main__":
    sys.exit(main())
