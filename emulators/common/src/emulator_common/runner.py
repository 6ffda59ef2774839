"""What the emulators' command lines share: their flags, serving until SIGTERM/SIGINT, the listening line.

Once a service has started, one JSON log line with ``"event": "listening"`` carries what
`Service.listening` returns (the bound ports, useful with port 0, which picks free ones); tests and
the platform harness wait for it. ``"stopping"`` is logged when a signal arrives. A listener that cannot
bind (port taken) is logged as ``cannot start: …`` and ends the process with exit code 1.

`messaging_main` is the whole command line of an emulator with a ``Config.json`` (Service Bus, Event
Hubs): its flags, the config loaded with every problem on stderr and exit code 2, then serving.

The admin token is read from the environment variable ``--admin-token-env`` names (default
``EMULATOR_ADMIN_TOKEN``), never from the command line, where ``ps`` would show it. `admin_token` refuses,
with exit code 2 and a line naming that variable, a ``--host`` other than loopback without one.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from servicekit import event_loop
from servicekit.admin_token import DEFAULT_TOKEN_ENV, AdminBindError, check_admin_bind

from emulator_common.composition import EmulatorOptions
from emulator_common.config import ConfigError
from emulator_common.logs import configure_logging

__all__ = [
    "LOG_LEVELS",
    "Service",
    "add_admin_token_env",
    "add_host",
    "add_log_level",
    "add_port",
    "admin_token",
    "messaging_main",
    "messaging_parser",
    "run",
    "serve_until_signal",
]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

SettingsT = TypeVar("SettingsT")


class Service(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def listening(self) -> dict[str, object]:
        """The fields of the ``listening`` log line (host and bound ports); called once started."""
        ...


def add_host(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")


def add_port(parser: argparse.ArgumentParser, flag: str, default: int, what: str) -> None:
    parser.add_argument(flag, type=int, default=default, help=f"{what} port; 0 picks a free one")


def add_admin_token_env(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--admin-token-env",
        default=DEFAULT_TOKEN_ENV,
        metavar="NAME",
        help=f"environment variable holding the admin token (default {DEFAULT_TOKEN_ENV}); "
        "required to listen on an address other than loopback",
    )


def admin_token(args: argparse.Namespace) -> str | None:
    """The admin token named by ``--admin-token-env`` (None when unset or empty); exits with code 2
    naming the variable when ``--host`` is not loopback and there is none."""
    token = os.environ.get(args.admin_token_env) or None
    try:
        check_admin_bind(args.host, token, args.admin_token_env)
    except AdminBindError as error:
        print(f"cannot start: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    return token


def add_log_level(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-level", default="INFO", choices=list(LOG_LEVELS))


def messaging_parser(
    prog: str, description: str, *, amqp_port: int, http_port: int, stored: str
) -> argparse.ArgumentParser:
    """``--config --host --amqp-port --http-port --data-dir --fault-seed --admin-token-env --log-level``;
    ``stored`` names
    what ``--data-dir`` persists (``events``, ``messages``)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--config", type=Path, required=True, help="Config.json (Microsoft's format)")
    add_host(parser)
    add_port(parser, "--amqp-port", amqp_port, "AMQP")
    add_port(parser, "--http-port", http_port, "admin HTTP")
    parser.add_argument(
        "--data-dir", type=Path, help=f"persist {stored} in DIR (SQLite); memory only if absent"
    )
    parser.add_argument("--fault-seed", type=int, help="seed of the fault injection random numbers")
    add_admin_token_env(parser)
    add_log_level(parser)
    return parser


async def serve_until_signal(service: Service, log: logging.Logger) -> None:
    """Start ``service``, log the listening line, serve until SIGTERM or SIGINT, then close it."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await service.start()
    try:
        log.info("listening", extra={"event": "listening", **service.listening()})
        await stop.wait()
        log.info("stopping")
    finally:
        await service.close()


def run(service: Service, log: logging.Logger) -> int:
    """Serve ``service`` on a new event loop until a signal; the process exit code."""
    try:
        event_loop.run(serve_until_signal(service, log))
    except OSError as error:
        log.error("cannot start: %s", error)
        return 1
    return 0


def messaging_main(
    argv: Sequence[str] | None,
    *,
    service: str,
    parser: argparse.ArgumentParser,
    load_config: Callable[[Path], SettingsT],
    build: Callable[[SettingsT, EmulatorOptions], Service],
    log: logging.Logger,
) -> int:
    """Parse ``argv`` with a `messaging_parser`, load the config, build the emulator and serve it; its log
    lines name ``service``, the emulator's component in harness/platform.yaml."""
    args = parser.parse_args(argv)
    configure_logging(service, args.log_level)
    token = admin_token(args)
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
        admin_token=token,
    )
    return run(build(settings, options), log)
