"""The Service Bus application on the AMQP core: routes links to `$cbs`, `$management` and entities."""

from __future__ import annotations

import logging
from typing import Any

from amqp_core.application import Application, LinkHandler
from amqp_core.connection import Connection
from amqp_core.errors import AmqpConnectionError, Condition, LinkError
from amqp_core.link import IncomingLink, Link, LinkConnection, OutgoingLink
from amqp_core.management import Request, RequestResponseNode, node_path
from amqp_core.message import AmqpValue, Message
from emulator_common.cbs import put_token
from emulator_common.faults import FaultRegistry
from emulator_common.sas import SasValidator

from servicebus_emulator.amqp import faults as fault_actions
from servicebus_emulator.amqp.errors import condition_of
from servicebus_emulator.amqp.links import EntityReceiver, EntitySender
from servicebus_emulator.amqp.management import ManagementNode
from servicebus_emulator.amqp.sessions import SESSION_FILTER, accept_session
from servicebus_emulator.errors import EntityNotFoundError, ServiceBusError
from servicebus_emulator.provider import ServiceBusProvider

log = logging.getLogger(__name__)

CBS = "$cbs"
MANAGEMENT_SUFFIX = "/$management"
_GRANTS = "servicebus.grants"


def _granted(connection: LinkConnection) -> set[str]:
    grants: set[str] = connection.scoped.setdefault(_GRANTS, set())
    return grants


class ServiceBusApplication(Application):
    def __init__(self, provider: ServiceBusProvider, faults: FaultRegistry, sas: SasValidator) -> None:
        self.provider = provider
        self.faults = faults
        self.sas = sas

    async def on_connection_open(self, connection: Connection) -> None:
        try:
            await fault_actions.apply(self.faults, "*", "connect")
        except fault_actions.InjectedFault as error:
            raise AmqpConnectionError(error.condition, error.description) from None

    async def on_link_attach(self, link: Link) -> LinkHandler:
        path = node_path(link.address)
        if path == CBS:
            return RequestResponseNode.for_link(link, self._cbs).attach(link)
        entity_path = path[: -len(MANAGEMENT_SUFFIX)] if path.casefold().endswith(MANAGEMENT_SUFFIX) else path
        # Node's SDK asks for a token on `<entity>/$management` itself; an entity's token covers it too.
        self._authorize(link, path)
        try:
            target = self.provider.resolve(entity_path)
        except EntityNotFoundError as error:
            raise LinkError(Condition.NOT_FOUND, str(error)) from None
        try:
            await fault_actions.apply(self.faults, target.path, "attach", link)
        except fault_actions.InjectedFault as error:
            raise LinkError(error.condition, error.description) from None
        if entity_path != path:
            return RequestResponseNode.for_link(
                link, ManagementNode(self.provider, self.faults, target)
            ).attach(link)
        try:
            link.max_message_size = self.provider.max_message_size(target)
        except ServiceBusError as error:
            raise LinkError(Condition.NOT_FOUND, str(error)) from None
        if isinstance(link, IncomingLink):
            link.reject_oversize = True
            return EntitySender(self.provider, self.faults, target)
        assert isinstance(link, OutgoingLink)
        filters = link.source.filter if link.source is not None else None
        wants_session = filters is not None and SESSION_FILTER in filters
        try:
            needs_session = self.provider.requires_session(target)
        except ServiceBusError as error:
            raise LinkError(condition_of(error)[0], str(error)) from None
        if wants_session != needs_session:
            raise LinkError(
                Condition.NOT_ALLOWED,
                f"'{target.address}' requires a session receiver"
                if needs_session
                else f"'{target.address}' does not require sessions; receive without a session",
            )
        if not wants_session:
            return EntityReceiver(self.provider, self.faults, target, link)
        assert filters is not None
        session_id = await accept_session(self.provider, target, link, filters[SESSION_FILTER])
        return EntityReceiver(self.provider, self.faults, target, link, session_id=session_id)

    def _authorize(self, link: Link, node: str) -> None:
        wanted = node.casefold()
        for granted in _granted(link.session.connection):
            if not granted or wanted == granted or wanted.startswith(granted + "/"):
                return
        raise LinkError(Condition.UNAUTHORIZED_ACCESS, f"no valid $cbs token for '{node}'")

    async def _cbs(self, request: Request) -> Message:
        body = request.message.body.value if isinstance(request.message.body, AmqpValue) else None
        try:
            await fault_actions.apply(self.faults, "*", "authenticate")
            result = put_token(self.sas, request.application_properties, body)
        except fault_actions.InjectedFault as error:
            return _status(503, error.description or error.condition)
        if result.token is not None:
            _granted(request.link.session.connection).add(node_path(result.token.resource).casefold())
        else:
            log.info("cbs token refused", extra={"status": result.status_code})
        return _status(result.status_code, result.description)


def _status(code: int, description: str) -> Message:
    properties: dict[str, Any] = {"status-code": code, "status-description": description}
    return Message(application_properties=properties, body=AmqpValue(None))
