"""Producer links: ``<hub>`` (partition by key or round-robin) and ``<hub>/Partitions/<id>``.

A transfer is one event, or a batch (message-format 0x80013700) whose data sections are whole events;
a batch lands in one partition. The partition key is the ``x-opt-partition-key`` message annotation
(of the batch envelope for a batch). The delivery is accepted only after the events are stored.
"""

from __future__ import annotations

import logging
from typing import Any

from amqp_core.application import LinkHandler
from amqp_core.codec import DecodeError
from amqp_core.errors import Condition, LinkError
from amqp_core.link import IncomingDelivery, IncomingLink
from amqp_core.message import BATCH_MESSAGE_FORMAT, Data, decode_message
from emulator_common.fault_actions import ConnectionDropped, DropStyle, InjectedFault, apply
from emulator_common.faults import FaultRegistry

from eventhubs_emulator.amqp.addresses import ProducerAddress
from eventhubs_emulator.errors import (
    EventHubsError,
    EventTooLargeError,
    HubNotFoundError,
    PartitionNotFoundError,
)
from eventhubs_emulator.model import IncomingEvent
from eventhubs_emulator.provider import EventHubsProvider

log = logging.getLogger(__name__)

PARTITION_KEY = "x-opt-partition-key"


def _partition_key(annotations: dict[Any, Any] | None) -> str | None:
    value = (annotations or {}).get(PARTITION_KEY)
    if value is None:
        return None
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def read_events(delivery: IncomingDelivery) -> tuple[list[IncomingEvent], str | None]:
    """The events a transfer carries and its partition key; raises DecodeError for a malformed one."""
    message = delivery.message
    key = _partition_key(message.message_annotations)
    if delivery.message_format != BATCH_MESSAGE_FORMAT:
        return [IncomingEvent(delivery.payload, key)], key
    if not isinstance(message.body, Data):
        raise DecodeError("a batch carries its events in data sections")
    events = []
    for chunk in message.body.sections:
        inner = decode_message(chunk)
        events.append(IncomingEvent(bytes(chunk), key or _partition_key(inner.message_annotations)))
    return events, key


class ProducerLink(LinkHandler):
    def __init__(self, provider: EventHubsProvider, faults: FaultRegistry, address: ProducerAddress) -> None:
        self._provider = provider
        self._faults = faults
        self._address = address

    async def on_message(self, link: IncomingLink, delivery: IncomingDelivery) -> None:
        try:
            await apply(self._faults, self._address.hub, "send", link, drop=DropStyle.CLOSE)
        except InjectedFault as error:
            delivery.settle_rejected(error.condition, error.description)
            return
        except ConnectionDropped:
            return
        except LinkError as error:
            link.detach(error.to_error())
            return
        try:
            events, key = read_events(delivery)
        except DecodeError as error:
            delivery.settle_rejected(Condition.DECODE_ERROR, f"malformed event: {error}")
            return
        try:
            result = self._provider.send(
                self._address.hub, events, partition_id=self._address.partition_id, partition_key=key
            )
        except EventTooLargeError as error:
            delivery.settle_rejected(Condition.MESSAGE_SIZE_EXCEEDED, str(error))
            return
        except (HubNotFoundError, PartitionNotFoundError) as error:
            delivery.settle_rejected(Condition.NOT_FOUND, str(error))
            return
        except EventHubsError as error:
            delivery.settle_rejected(Condition.INTERNAL_ERROR, str(error))
            return
        delivery.settle_accepted()
        log.debug(
            "events enqueued",
            extra={"hub": self._address.hub, "partition": result.partition_id, "count": len(result.events)},
        )
