"""``servicebus-emulator --config FILE [--host H] [--amqp-port P] [--http-port P] [--data-dir DIR]``."""

from __future__ import annotations

import logging
import sys

from emulator_common.runner import messaging_main, messaging_parser

from servicebus_emulator.app import AMQP_PORT, HTTP_PORT, Emulator
from servicebus_emulator.config import load_config

log = logging.getLogger("servicebus_emulator")


def main(argv: list[str] | None = None) -> int:
    parser = messaging_parser(
        "servicebus-emulator", __doc__ or "", amqp_port=AMQP_PORT, http_port=HTTP_PORT, stored="messages"
    )
    return messaging_main(
        argv, service="servicebus", parser=parser, load_config=load_config, build=Emulator, log=log
    )


if __name__ == "__main__":
    sys.exit(main())
