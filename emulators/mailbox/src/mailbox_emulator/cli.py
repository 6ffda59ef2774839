"""``mailbox-emulator [--host H] [--smtp-port 2525] [--http-port 8025] [--capacity N]``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from emulator_common.logs import configure_logging

from mailbox_emulator.app import Mailbox, MailboxOptions

log = logging.getLogger("mailbox_emulator")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mailbox-emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--smtp-port", type=int, default=2525, help="SMTP port; 0 picks a free one")
    parser.add_argument("--http-port", type=int, default=8025, help="HTTP port; 0 picks a free one")
    parser.add_argument("--capacity", type=int, default=1000, help="emails (and texts) kept; oldest dropped")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


async def _serve(mailbox: Mailbox) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await mailbox.start()
    try:
        log.info(
            "listening",
            extra={
                "event": "listening",
                "host": mailbox.options.host,
                "smtp_port": mailbox.smtp_port,
                "http_port": mailbox.http_port,
            },
        )
        await stop.wait()
    finally:
        await mailbox.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging("mailbox-emulator", args.log_level)
    options = MailboxOptions(args.host, args.smtp_port, args.http_port, args.capacity)
    asyncio.run(_serve(Mailbox(options)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
