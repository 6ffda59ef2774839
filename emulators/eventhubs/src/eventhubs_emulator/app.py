"""Composition: config → store → provider → AMQP listener and admin HTTP server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amqp_core.server import AmqpServer
from emulator_common.admin_http import AdminServer, create_admin_app
from emulator_common.clock import Clock, SystemClock
from emulator_common.faults import FaultRegistry
from emulator_common.sas import SasValidator

from eventhubs_emulator.admin import add_routes
from eventhubs_emulator.amqp.application import AmqpOptions, serve
from eventhubs_emulator.model import NamespaceSettings
from eventhubs_emulator.provider import EventHubsProvider
from eventhubs_emulator.store import MemoryStore, SqliteStore, Store

# The well-known key of the Event Hubs emulators; it protects nothing and is public on purpose.
EMULATOR_KEYS = {"RootManageSharedAccessKey": "SAS_KEY_VALUE"}


@dataclass(frozen=True, slots=True)
class EmulatorOptions:
    host: str = "127.0.0.1"
    amqp_port: int = 5673
    http_port: int = 5301
    data_dir: Path | None = None
    fault_seed: int | None = None


class Emulator:
    def __init__(self, settings: NamespaceSettings, options: EmulatorOptions, clock: Clock | None = None):
        self.settings = settings
        self.options = options
        self._clock = clock or SystemClock()
        self.faults = FaultRegistry(seed=options.fault_seed)
        self.provider: EventHubsProvider | None = None
        self._admin: AdminServer | None = None
        self._amqp: AmqpServer | None = None
        self.http_port: int | None = None
        self.amqp_port: int | None = None

    async def start(self) -> None:
        store: Store = SqliteStore(self.options.data_dir) if self.options.data_dir else MemoryStore()
        self.provider = EventHubsProvider(self.settings, store, self._clock)
        self.provider.start()
        app = create_admin_app(self.faults)
        add_routes(app, self.provider)
        self._admin = AdminServer(app, self.options.host, self.options.http_port)
        self.http_port = await self._admin.start()
        self._amqp = await serve(
            self.provider,
            self.faults,
            SasValidator(EMULATOR_KEYS, self._clock.now),
            self._clock,
            AmqpOptions(self.options.host, self.options.amqp_port),
        )
        self.amqp_port = self._amqp.port

    async def close(self) -> None:
        if self._amqp is not None:
            await self._amqp.stop()
            self._amqp = None
        if self._admin is not None:
            await self._admin.close()
            self._admin = None
        if self.provider is not None:
            await self.provider.close()
            self.provider = None
