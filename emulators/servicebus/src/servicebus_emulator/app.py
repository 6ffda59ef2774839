"""Composition: config → store → provider → admin HTTP server and AMQP listener."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from emulator_common.admin_http import AdminServer, create_admin_app
from emulator_common.clock import Clock, SystemClock
from emulator_common.faults import FaultRegistry
from emulator_common.sas import SasValidator

from servicebus_emulator.admin import add_routes
from servicebus_emulator.amqp import AmqpContext, AmqpListener, serve
from servicebus_emulator.model import NamespaceSettings
from servicebus_emulator.provider import ServiceBusProvider
from servicebus_emulator.store import MemoryStore, SqliteStore, Store

log = logging.getLogger(__name__)

# The well-known key of the Service Bus emulators; it protects nothing and is public on purpose.
EMULATOR_KEYS = {"RootManageSharedAccessKey": "SAS_KEY_VALUE"}


@dataclass(frozen=True, slots=True)
class EmulatorOptions:
    host: str = "127.0.0.1"
    amqp_port: int = 5672
    http_port: int = 5300
    data_dir: Path | None = None
    fault_seed: int | None = None


class Emulator:
    def __init__(self, settings: NamespaceSettings, options: EmulatorOptions, clock: Clock | None = None):
        self.settings = settings
        self.options = options
        self._clock = clock or SystemClock()
        self.faults = FaultRegistry(seed=options.fault_seed)
        self.provider: ServiceBusProvider | None = None
        self._admin: AdminServer | None = None
        self._amqp: AmqpListener | None = None
        self.http_port: int | None = None
        self.amqp_port: int | None = None

    async def start(self) -> None:
        try:
            await self._start()
        except BaseException:
            await self.close()
            raise

    async def _start(self) -> None:
        store: Store = SqliteStore(self.options.data_dir) if self.options.data_dir else MemoryStore()
        self.provider = ServiceBusProvider(self.settings, store, self._clock)
        self.provider.start()
        app = create_admin_app(self.faults)
        add_routes(app, self.provider)
        self._admin = AdminServer(app, self.options.host, self.options.http_port)
        self.http_port = await self._admin.start()
        context = AmqpContext(
            provider=self.provider,
            faults=self.faults,
            sas=SasValidator(EMULATOR_KEYS, self._clock.now),
            host=self.options.host,
            port=self.options.amqp_port,
        )
        self._amqp = await serve(context)
        self.amqp_port = self._amqp.port

    async def close(self) -> None:
        if self._amqp is not None:
            await self._amqp.close()
            self._amqp = None
        if self._admin is not None:
            await self._admin.close()
            self._admin = None
        if self.provider is not None:
            await self.provider.close()
            self.provider = None
