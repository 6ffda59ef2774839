"""``telemetry-emulator [--host H] [--http-port P] [--max-spans N] [--max-envelopes N] [--max-body-bytes N]
[--admin-token-env NAME]``."""

from __future__ import annotations

import argparse
import logging
import sys

from emulator_common.logs import configure_logging
from emulator_common.runner import add_admin_token_env, add_host, add_log_level, add_port, admin_token, run

from telemetry_emulator.app import DEFAULT_MAX_BODY_BYTES, TelemetryOptions, TelemetryReceiver

log = logging.getLogger("telemetry_emulator")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="telemetry-emulator", description=__doc__)
    add_host(parser)
    add_port(parser, "--http-port", 4318, "HTTP (OTLP, ingestion, query API, pages)")
    parser.add_argument(
        "--max-spans", type=_positive, default=50_000, help="spans kept; oldest traces dropped"
    )
    parser.add_argument("--max-envelopes", type=_positive, default=10_000, help="App Insights envelopes kept")
    parser.add_argument(
        "--max-body-bytes",
        type=_positive,
        default=DEFAULT_MAX_BODY_BYTES,
        help="largest request body (413 above)",
    )
    add_admin_token_env(parser)
    add_log_level(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging("telemetry", args.log_level)
    options = TelemetryOptions(
        host=args.host,
        http_port=args.http_port,
        max_spans=args.max_spans,
        max_envelopes=args.max_envelopes,
        max_body_bytes=args.max_body_bytes,
        admin_token=admin_token(args),
    )
    return run(TelemetryReceiver(options), log)


if __name__ == "__main__":
    sys.exit(main())
