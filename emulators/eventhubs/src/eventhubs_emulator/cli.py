"""``eventhubs-emulator --config FILE [--host H] [--amqp-port P] [--http-port P] [--data-dir DIR]``.

Once both listeners are up, one JSON log line with ``"event": "listening"`` carries the bound
``amqp_port`` and ``http_port`` (useful with port 0, which picks free ports).
"""

from __future__ import annotations

import logging
import sys

from emulator_common.runner import messaging_main, messaging_parser

from eventhubs_emulator.app import AMQP_PORT, HTTP_PORT, Emulator
from eventhubs_emulator.config import load_config

log = logging.getLogger("eventhubs_emulator")


def main(argv: list[str] | None = None) -> int:
    parser = messaging_parser(
        "eventhubs-emulator",
        "Azure Event Hubs emulator",
        amqp_port=AMQP_PORT,
        http_port=HTTP_PORT,
        stored="events",
    )
    return messaging_main(
        argv, service="eventhubs", parser=parser, load_config=load_config, build=Emulator, log=log
    )


if __name__ == "__main__":
    sys.exit(main())
