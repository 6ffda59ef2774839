"""Consumer links: ``<hub>/ConsumerGroups/<group>/Partitions/<id>``.

Each link reads its partition from the position its selector filter names, as far as the client's
credit allows, then waits for the partition's next append (no polling). Every event goes out with the
message annotations ``x-opt-sequence-number``, ``x-opt-offset``, ``x-opt-enqueued-time`` (and
``x-opt-partition-key`` when it has one) and, when the client asked for runtime metrics, with delivery
annotations describing the partition's last enqueued event.

A link whose receiver is displaced by a higher owner level is detached with ``amqp:link:stolen``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from typing import Any

from amqp_core.application import LinkHandler
from amqp_core.errors import AmqpConditionError, Condition
from amqp_core.link import Link, OutgoingLink
from amqp_core.performatives import AmqpError
from amqp_core.types import Long, Symbol, Timestamp
from emulator_common.clock import Clock
from emulator_common.fault_actions import ConnectionDropped, DropStyle, apply
from emulator_common.faults import FaultRegistry

from eventhubs_emulator.amqp.addresses import ConsumerAddress
from eventhubs_emulator.amqp.delivery import delivery_payload
from eventhubs_emulator.consumers import Receiver
from eventhubs_emulator.model import StoredEvent
from eventhubs_emulator.provider import EventHubsProvider

log = logging.getLogger(__name__)

RUNTIME_METRIC_CAPABILITY = "com.microsoft:enable-receiver-runtime-metric"

_SEQUENCE_NUMBER = Symbol("x-opt-sequence-number")
_OFFSET = Symbol("x-opt-offset")
_ENQUEUED_TIME = Symbol("x-opt-enqueued-time")
_PARTITION_KEY = Symbol("x-opt-partition-key")


class ConsumerLink(LinkHandler):
    def __init__(
        self,
        provider: EventHubsProvider,
        faults: FaultRegistry,
        clock: Clock,
        link: OutgoingLink,
        address: ConsumerAddress,
        next_sequence_number: int,
        *,
        runtime_metrics: bool,
    ) -> None:
        self._provider = provider
        self._faults = faults
        self._clock = clock
        self._link = link
        self._address = address
        self._next = next_sequence_number
        self._runtime_metrics = runtime_metrics
        self._tags = itertools.count(1)
        self._credit = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.receiver: Receiver | None = None

    def start(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stolen(self, description: str) -> None:
        log.info(
            "receiver displaced by a higher owner level",
            extra={
                "connection": self._link.connection_id,
                "link": self._link.name,
                "hub": self._address.hub,
                "partition": self._address.partition_id,
            },
        )
        self.receiver = None
        self._link.detach(AmqpError(condition=Condition.STOLEN, description=description))

    async def on_credit(self, link: OutgoingLink) -> None:
        self._credit.set()
        if not self._lock.locked():
            await self._pump()

    async def on_detach(self, link: Link, error: AmqpError | None) -> None:
        if self.receiver is not None:
            self._provider.close_receiver(self.receiver)
            self.receiver = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        link = self._link
        try:
            while link.attached:
                if link.credit <= 0:
                    self._credit.clear()
                    await self._credit.wait()
                    continue
                await self._provider.wait_beyond(self._address.hub, self._address.partition_id, self._next)
                await self._pump()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("consumer link failed", extra={"connection": link.connection_id, "link": link.name})
            link.detach(AmqpError(condition=Condition.INTERNAL_ERROR, description="delivery failed"))

    async def _pump(self) -> None:
        """Send what the partition holds from our position, as far as credit goes."""
        link = self._link
        async with self._lock:
            while link.attached and link.credit > 0:
                events = self._provider.read(
                    self._address.hub, self._address.partition_id, self._next, link.credit
                )
                if not events:
                    return
                for event in events:
                    try:
                        await apply(self._faults, self._address.hub, "receive", link, drop=DropStyle.CLOSE)
                    except ConnectionDropped:
                        return
                    except AmqpConditionError as error:
                        link.detach(error.to_error())
                        return
                    if not link.attached or link.credit <= 0:
                        return
                    link.send(self._encode(event), tag=next(self._tags).to_bytes(8, "big"))
                    self._next = event.sequence_number + 1

    def _encode(self, event: StoredEvent) -> bytes:
        annotations: dict[Any, Any] = {
            _SEQUENCE_NUMBER: Long(event.sequence_number),
            _OFFSET: str(event.offset),
            _ENQUEUED_TIME: Timestamp(event.enqueued_time_ms),
        }
        if event.partition_key is not None:
            annotations[_PARTITION_KEY] = event.partition_key
        delivery_annotations: dict[Any, Any] | None = None
        if self._runtime_metrics:
            info = self._provider.partition_info(self._address.hub, self._address.partition_id)
            delivery_annotations = {
                Symbol("last_enqueued_sequence_number"): Long(info.last_sequence_number),
                Symbol("last_enqueued_offset"): str(info.last_offset),
                Symbol("last_enqueued_time_utc"): Timestamp(info.last_enqueued_time_ms),
                Symbol("runtime_info_retrieval_time_utc"): Timestamp(int(self._clock.now() * 1000)),
            }
        return delivery_payload(event.payload, annotations, delivery_annotations)
