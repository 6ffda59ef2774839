"""``mailbox-emulator [--host H] [--smtp-port P] [--http-port P] [--capacity N] [--admin-token-env NAME]``."""

from __future__ import annotations

import argparse
import logging
import sys

from emulator_common.logs import configure_logging
from emulator_common.runner import add_admin_token_env, add_host, add_log_level, add_port, admin_token, run

from mailbox_emulator.app import Mailbox, MailboxOptions

log = logging.getLogger("mailbox_emulator")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mailbox-emulator", description=__doc__)
    add_host(parser)
    add_port(parser, "--smtp-port", 2525, "SMTP")
    add_port(parser, "--http-port", 8025, "HTTP")
    parser.add_argument("--capacity", type=int, default=1000, help="emails (and texts) kept; oldest dropped")
    add_admin_token_env(parser)
    add_log_level(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging("mailbox", args.log_level)
    options = MailboxOptions(args.host, args.smtp_port, args.http_port, args.capacity, admin_token(args))
    return run(Mailbox(options), log)


if __name__ == "__main__":
    sys.exit(main())
