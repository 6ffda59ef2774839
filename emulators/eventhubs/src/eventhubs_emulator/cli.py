"""``eventhubs-emulator --config FILE [--host H] [--amqp-port P] [--http-port P] [--data-dir DIR]``.

Once both listeners are up, one JSON log line with ``"event": "listening"`` carries the bound
``amqp_port`` and ``http_port`` (useful with port 0, which picks free ports).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from emulator_common.config import ConfigError
from emulator_common.logs import configure_logging

from eventhubs_emulator.app import Emulator, EmulatorOptions
from eventhubs_emulator.config import load_config

log = logging.getLogger("eventhubs_emulator")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eventhubs-emulator", description="Azure Event Hubs emulator")
    parser.add_argument("--config", type=Path, required=True, help="Config.json (Microsoft's format)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--amqp-port", type=int, default=5673, help="AMQP port; 0 picks a free one")
    parser.add_argument("--http-port", type=int, default=5301, help="admin HTTP port; 0 picks a free one")
    parser.add_argument("--data-dir", type=Path, help="persist events in DIR (SQLite); memory only if absent")
    parser.add_argument("--fault-seed", type=int, help="seed of the fault injection random numbers")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


async def _serve(emulator: Emulator) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await emulator.start()
    try:
        log.info(
            "listening",
            extra={
                "event": "listening",
                "host": emulator.options.host,
                "amqp_port": emulator.amqp_port,
                "http_port": emulator.http_port,
                "data_dir": str(emulator.options.data_dir) if emulator.options.data_dir else None,
            },
        )
        await stop.wait()
        log.info("stopping")
    finally:
        await emulator.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging("eventhubs-emulator", args.log_level)
    try:
        settings = load_config(args.config)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    options = EmulatorOptions(
        host=args.host,
        amqp_port=args.amqp_port,
        http_port=args.http_port,
        data_dir=args.data_dir,
        fault_seed=args.fault_seed,
    )
    asyncio.run(_serve(Emulator(settings, options)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
