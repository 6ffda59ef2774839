"""A small emulator built only from `emulator_common`'s parts, for testing those parts together.

Its provider holds the messages sent to it; its AMQP application serves ``$cbs`` with the shared token
check and carries out ``attach`` and ``send`` faults with `emulator_common.fault_actions`, the way the
Service Bus and Event Hubs emulators do. ``python -m sample_emulator --config FILE`` runs it through
`emulator_common.runner.messaging_main`.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from aiohttp import web
from amqp_core.application import Application, LinkHandler
from amqp_core.connection import Settings
from amqp_core.errors import LinkError
from amqp_core.link import IncomingDelivery, IncomingLink, Link
from amqp_core.management import Request, RequestResponseNode, node_path
from amqp_core.message import AmqpValue, Message
from amqp_core.server import AmqpServer
from emulator_common import composition
from emulator_common.cbs import put_token
from emulator_common.clock import Clock
from emulator_common.config import StrictModel, load_json_file, validate
from emulator_common.fault_actions import ConnectionDropped, DropStyle, InjectedFault, apply
from emulator_common.faults import FaultRegistry
from emulator_common.runner import messaging_main, messaging_parser
from emulator_common.sas import SasValidator

log = logging.getLogger("sample_emulator")


class SampleConfig(StrictModel):
    Name: str


class SampleProvider:
    def __init__(self, name: str) -> None:
        self.name = name
        self.messages: list[bytes] = []
        self.started = False
        self.closed = False

    def start(self) -> None:
        self.started = True

    async def close(self) -> None:
        self.closed = True


class Entity(LinkHandler):
    def __init__(self, app: SampleApplication, entity: str) -> None:
        self.app = app
        self.entity = entity

    async def on_message(self, link: IncomingLink, delivery: IncomingDelivery) -> None:
        try:
            await apply(self.app.faults, self.entity, "send", link, drop=self.app.drop)
        except InjectedFault as error:
            delivery.settle_rejected(error.condition, error.description)
            return
        except ConnectionDropped:
            return
        self.app.provider.messages.append(delivery.payload)
        delivery.settle_accepted()


class SampleApplication(Application):
    def __init__(
        self, provider: SampleProvider, faults: FaultRegistry, sas: SasValidator, drop: DropStyle
    ) -> None:
        self.provider = provider
        self.faults = faults
        self.sas = sas
        self.drop = drop

    async def on_link_attach(self, link: Link) -> LinkHandler:
        path = node_path(link.address)
        if path == "$cbs":
            return RequestResponseNode.for_link(link, self._cbs).attach(link)
        try:
            await apply(self.faults, path, "attach", link, drop=self.drop)
        except InjectedFault as error:
            raise LinkError(error.condition, error.description) from None
        return Entity(self, path)

    async def _cbs(self, request: Request) -> Message:
        body = request.message.body
        result = put_token(
            self.sas, request.application_properties, body.value if isinstance(body, AmqpValue) else None
        )
        status = {"status-code": result.status_code, "status-description": result.description}
        return Message(application_properties=status, body=AmqpValue(None))


class SampleEmulator(composition.MessagingEmulator[SampleConfig, SampleProvider]):
    drop = DropStyle.ABORT

    def __init__(
        self, settings: SampleConfig, options: composition.EmulatorOptions, clock: Clock | None = None
    ):
        super().__init__(settings, options, clock)
        self.opened_providers: list[SampleProvider] = []
        """Every provider opened, kept after `close` drops ``provider``."""

    def _open_provider(self, clock: Clock) -> SampleProvider:
        provider = SampleProvider(self.settings.Name)
        self.opened_providers.append(provider)
        return provider

    def _add_routes(self, app: web.Application, provider: SampleProvider) -> None:
        async def name(request: web.Request) -> web.Response:
            return web.json_response({"name": provider.name})

        app.router.add_get("/name", name)

    async def _serve_amqp(self, provider: SampleProvider, sas: SasValidator) -> composition.AmqpListener:
        application = SampleApplication(provider, self.faults, sas, self.drop)
        server = AmqpServer(
            application, Settings(container_id="sample"), host=self.options.host, port=self.options.amqp_port
        )
        await server.start()
        return server


def load_config(path: Path) -> SampleConfig:
    return validate(SampleConfig, load_json_file(path), str(path))


def main(argv: list[str] | None = None) -> int:
    parser = messaging_parser(
        "sample-emulator", "Sample emulator", amqp_port=5999, http_port=5998, stored="notes"
    )
    return messaging_main(
        argv, service="sample", parser=parser, load_config=load_config, build=SampleEmulator, log=log
    )


if __name__ == "__main__":
    sys.exit(main())
