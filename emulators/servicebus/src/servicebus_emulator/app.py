"""Composition: config → store → provider → admin HTTP server and AMQP listener (`emulator_common`)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from emulator_common import composition
from emulator_common.clock import Clock
from emulator_common.sas import SasValidator

from servicebus_emulator import metrics
from servicebus_emulator.admin import add_routes
from servicebus_emulator.amqp import AmqpContext, AmqpListener, serve
from servicebus_emulator.model import NamespaceSettings
from servicebus_emulator.provider import ServiceBusProvider
from servicebus_emulator.store import MemoryStore, SqliteStore, Store

AMQP_PORT = 5672
HTTP_PORT = 5300


@dataclass(frozen=True, slots=True)
class EmulatorOptions(composition.EmulatorOptions):
    amqp_port: int = AMQP_PORT
    http_port: int = HTTP_PORT


class Emulator(composition.MessagingEmulator[NamespaceSettings, ServiceBusProvider]):
    _listener: AmqpListener | None = None  # once AMQP serves; /metrics counts its connections

    def _open_provider(self, clock: Clock) -> ServiceBusProvider:
        store: Store = SqliteStore(self.options.data_dir) if self.options.data_dir else MemoryStore()
        return ServiceBusProvider(self.settings, store, clock)

    def _add_routes(self, app: web.Application, provider: ServiceBusProvider) -> None:
        add_routes(app, provider)

        async def scrape(request: web.Request) -> web.Response:
            body = metrics.render(provider, self._connection_count)
            return web.Response(body=body, headers={"Content-Type": metrics.CONTENT_TYPE})

        app.router.add_get("/metrics", scrape)

    def _connection_count(self) -> int:
        return self._listener.connections if self._listener is not None else 0

    async def _serve_amqp(self, provider: ServiceBusProvider, sas: SasValidator) -> composition.AmqpListener:
        context = AmqpContext(
            provider=provider,
            faults=self.faults,
            sas=sas,
            host=self.options.host,
            port=self.options.amqp_port,
        )
        self._listener = await serve(context)
        return self._listener
