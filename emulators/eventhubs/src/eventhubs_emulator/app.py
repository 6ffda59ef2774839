"""Composition: config → store → provider → admin HTTP server and AMQP listener (`emulator_common`)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from amqp_core.server import AmqpServer
from emulator_common import composition
from emulator_common.clock import Clock
from emulator_common.sas import SasValidator

from eventhubs_emulator import metrics
from eventhubs_emulator.admin import add_routes
from eventhubs_emulator.amqp.application import AmqpOptions, serve
from eventhubs_emulator.model import NamespaceSettings
from eventhubs_emulator.provider import EventHubsProvider
from eventhubs_emulator.store import MemoryStore, SqliteStore, Store

AMQP_PORT = 5673
HTTP_PORT = 5301


@dataclass(frozen=True, slots=True)
class EmulatorOptions(composition.EmulatorOptions):
    amqp_port: int = AMQP_PORT
    http_port: int = HTTP_PORT


class Emulator(composition.MessagingEmulator[NamespaceSettings, EventHubsProvider]):
    _server: AmqpServer | None = None  # once AMQP serves; /metrics counts its connections

    def _open_provider(self, clock: Clock) -> EventHubsProvider:
        store: Store = SqliteStore(self.options.data_dir) if self.options.data_dir else MemoryStore()
        return EventHubsProvider(self.settings, store, clock)

    def _add_routes(self, app: web.Application, provider: EventHubsProvider) -> None:
        add_routes(app, provider)

        async def scrape(request: web.Request) -> web.Response:
            body = metrics.render(provider, self._connection_count)
            return web.Response(body=body, headers={"Content-Type": metrics.CONTENT_TYPE})

        app.router.add_get("/metrics", scrape)

    def _connection_count(self) -> int:
        return len(self._server.connections) if self._server is not None else 0

    async def _serve_amqp(self, provider: EventHubsProvider, sas: SasValidator) -> composition.AmqpListener:
        options = AmqpOptions(self.options.host, self.options.amqp_port)
        self._server = await serve(provider, self.faults, sas, self._clock, options)
        return self._server
