"""The `amqp_core` application of the emulator: routes links to `$cbs`, `$management`, producers and
consumers, and turns the provider's typed errors into AMQP conditions (the only place that does)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from amqp_core.application import Application, LinkHandler
from amqp_core.connection import Connection, Settings
from amqp_core.errors import AmqpConnectionError, Condition, LinkError
from amqp_core.link import Link, OutgoingLink
from amqp_core.management import RequestResponseNode, node_path
from amqp_core.performatives import AmqpError
from amqp_core.server import AmqpServer
from emulator_common.clock import Clock
from emulator_common.fault_actions import DropStyle, InjectedFault, apply
from emulator_common.faults import FaultAction, FaultRegistry
from emulator_common.sas import SasValidator

from eventhubs_emulator.amqp.addresses import (
    SELECTOR_FILTER,
    AddressError,
    parse_consumer,
    parse_producer,
    parse_selector,
)
from eventhubs_emulator.amqp.cbs import CBS_NODE, CbsResponder, authorize
from eventhubs_emulator.amqp.consumer import RUNTIME_METRIC_CAPABILITY, ConsumerLink
from eventhubs_emulator.amqp.management import MANAGEMENT_NODE, ManagementResponder
from eventhubs_emulator.amqp.producer import ProducerLink
from eventhubs_emulator.errors import (
    ConsumerGroupNotFoundError,
    EventHubsError,
    HubNotFoundError,
    PartitionNotFoundError,
    ReceiverQuotaExceededError,
    ReceiverRefusedError,
)
from eventhubs_emulator.provider import EventHubsProvider

log = logging.getLogger(__name__)

EPOCH_PROPERTY = "com.microsoft:epoch"


def link_error(error: EventHubsError) -> LinkError:
    """The AMQP condition for a provider error."""
    if isinstance(error, HubNotFoundError | PartitionNotFoundError | ConsumerGroupNotFoundError):
        return LinkError(Condition.NOT_FOUND, str(error))
    if isinstance(error, ReceiverRefusedError):
        return LinkError(Condition.STOLEN, str(error))
    if isinstance(error, ReceiverQuotaExceededError):
        return LinkError(Condition.RESOURCE_LIMIT_EXCEEDED, str(error))
    return LinkError(Condition.INTERNAL_ERROR, str(error))


def _selector(link: Link) -> str | None:
    filters: dict[Any, Any] = (link.source.filter if link.source is not None else None) or {}
    entry = filters.get(SELECTOR_FILTER)
    value = getattr(entry, "value", entry)
    if value is None:
        return None
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class EventHubsApplication(Application):
    def __init__(
        self, provider: EventHubsProvider, faults: FaultRegistry, sas: SasValidator, clock: Clock
    ) -> None:
        self._provider = provider
        self._faults = faults
        self._clock = clock
        self._cbs = CbsResponder(sas, faults)
        self._management = ManagementResponder(provider, faults)

    async def on_connection_open(self, connection: Connection) -> None:
        fault = self._faults.match("*", "connect")
        if fault is not None and fault.action in (FaultAction.ERROR, FaultAction.DROP_CONNECTION):
            raise AmqpConnectionError(fault.condition or Condition.CONNECTION_FORCED, fault.description)

    async def on_link_attach(self, link: Link) -> LinkHandler:
        path = node_path(link.address)
        if path == CBS_NODE:
            return RequestResponseNode.for_link(link, self._cbs).attach(link)
        if path == MANAGEMENT_NODE:
            return RequestResponseNode.for_link(link, self._management).attach(link)
        authorize(link, path)
        try:
            if isinstance(link, OutgoingLink):
                return await self._consumer(link)
            return await self._producer(link)
        except AddressError as error:
            raise LinkError(Condition.NOT_FOUND, str(error)) from None
        except EventHubsError as error:
            raise link_error(error) from None

    async def _attach_fault(self, hub: str, link: Link) -> None:
        try:
            await apply(self._faults, hub, "attach", link, drop=DropStyle.CLOSE)
        except InjectedFault as error:
            raise LinkError(error.condition, error.description) from None

    async def _producer(self, link: Link) -> LinkHandler:
        address = parse_producer(link.address)
        hub = self._provider.hub_settings(address.hub)
        if address.partition_id is not None:
            self._provider.partition_info(address.hub, address.partition_id)
        await self._attach_fault(address.hub, link)
        link.max_message_size = hub.max_event_size
        return ProducerLink(self._provider, self._faults, address)

    async def _consumer(self, link: OutgoingLink) -> LinkHandler:
        address = parse_consumer(link.address)
        self._provider.receiver_key(address.hub, address.consumer_group, address.partition_id)
        try:
            position = parse_selector(_selector(link))
        except AddressError as error:
            raise LinkError(Condition.ARGUMENT_ERROR, str(error)) from None
        epoch = link.remote_properties.get(EPOCH_PROPERTY)
        owner_level = int(epoch) if epoch is not None else None
        await self._attach_fault(address.hub, link)
        runtime_metrics = RUNTIME_METRIC_CAPABILITY in (link.remote_attach.desired_capabilities or ())
        if runtime_metrics:
            link.offered_capabilities = (RUNTIME_METRIC_CAPABILITY,)
        link.max_message_size = self._provider.hub_settings(address.hub).max_event_size
        start = self._provider.start_of(address.hub, address.partition_id, position)
        handler = ConsumerLink(
            self._provider, self._faults, self._clock, link, address, start, runtime_metrics=runtime_metrics
        )
        receiver = self._provider.open_receiver(
            address.hub,
            address.consumer_group,
            address.partition_id,
            name=link.name,
            owner_level=owner_level,
            on_stolen=handler.stolen,
        )
        handler.start(receiver)
        log.info(
            "consumer attached",
            extra={
                "connection": link.connection_id,
                "hub": address.hub,
                "consumer_group": address.consumer_group,
                "partition": address.partition_id,
                "owner_level": owner_level,
                "start": start,
            },
        )
        return handler

    async def on_connection_close(self, connection: Connection, error: AmqpError | None) -> None:
        del connection, error


@dataclass(frozen=True, slots=True)
class AmqpOptions:
    host: str
    port: int


async def serve(
    provider: EventHubsProvider, faults: FaultRegistry, sas: SasValidator, clock: Clock, options: AmqpOptions
) -> AmqpServer:
    """Start the AMQP listener; stop it with ``await server.stop()``."""
    application = EventHubsApplication(provider, faults, sas, clock)
    server = AmqpServer(
        application, Settings(container_id="eventhubs-emulator"), host=options.host, port=options.port
    )
    await server.start()
    return server
