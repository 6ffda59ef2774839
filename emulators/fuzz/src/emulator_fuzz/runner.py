"""Run one fuzz target under atheris (libFuzzer) for a set time.

    python -m emulator_fuzz.runner codec --seconds 60

Seeds come from ``corpus/<target>/``; inputs libFuzzer finds interesting go to ``.work/<target>/``;
a crash, hang (``--timeout`` seconds for one input) or memory blow-up (``--rss-limit-mb``) is saved
as ``crashes/<target>/{crash,timeout,oom}-<sha1>``, which the replay tests then run on every
`make test`. Exit status 0 means no finding.
"""

from __future__ import annotations

import argparse
import sys

import atheris  # type: ignore[import-untyped]

from emulator_fuzz.corpus import corpus_dir, crash_dir, work_dir

_INSTRUMENTED = ["amqp_core", "servicebus_emulator.sql", "emulator_fuzz.targets"]
TARGET_NAMES = ("codec", "message", "frame", "handshake", "sql")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("target", choices=TARGET_NAMES)
    parser.add_argument("--seconds", type=int, default=60, help="total fuzzing time")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take")
    parser.add_argument("--rss-limit-mb", type=int, default=1024, help="memory ceiling of the process")
    parser.add_argument("--max-len", type=int, default=8192, help="longest input tried, in bytes")
    args = parser.parse_args(argv)

    # Import the targets (and the code under test) instrumented, so libFuzzer sees their coverage.
    with atheris.instrument_imports(include=_INSTRUMENTED):
        from emulator_fuzz.targets import TARGETS

    crashes = crash_dir(args.target)
    crashes.mkdir(parents=True, exist_ok=True)
    work = work_dir(args.target)
    work.mkdir(parents=True, exist_ok=True)
    libfuzzer_argv = [
        sys.argv[0],
        f"-max_total_time={args.seconds}",
        f"-timeout={args.timeout}",
        f"-rss_limit_mb={args.rss_limit_mb}",
        f"-max_len={args.max_len}",
        f"-artifact_prefix={crashes}/",
        "-print_final_stats=1",
        str(work),
        str(corpus_dir(args.target)),
    ]
    atheris.Setup(libfuzzer_argv, TARGETS[args.target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
