"""Event Hubs entity logic: hubs, partitions, sends, reads and receivers. The AMQP layer drives it and
never sees storage; the provider never sees AMQP.

All methods run on one event loop. A send is numbered, handed to the store (durable when it returns)
and only then made visible to readers and acknowledged, so an acknowledged event survives a crash with
the sequence number and offset the sender may already have seen.

Time comes from an injectable `Clock`. Retention is applied whenever a partition is read or inspected
(so expired events are gone from every position at once) and by `run` on a timer, which also frees
their storage.

LIMITATIONS versus Azure Event Hubs:
- one namespace; hubs and consumer groups come from the config file only (no management API to create them);
- every live event is kept in memory, also with ``--data-dir`` (the store is for durability);
- no capture, geo-replication, idempotent producers or Kafka endpoint;
- a position past the end of a partition starts at the next event to be enqueued instead of failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from emulator_common.clock import Clock, SystemClock

from eventhubs_emulator.consumers import ConsumerRegistry, Receiver, ReceiverKey
from eventhubs_emulator.errors import (
    ConsumerGroupNotFoundError,
    EventTooLargeError,
    HubNotFoundError,
    PartitionNotFoundError,
)
from eventhubs_emulator.hashing import partition_for_key
from eventhubs_emulator.model import (
    EventPosition,
    HubInfo,
    HubSettings,
    IncomingEvent,
    NamespaceSettings,
    PartitionInfo,
    StoredEvent,
)
from eventhubs_emulator.partition import PartitionLog
from eventhubs_emulator.store.base import Store

log = logging.getLogger(__name__)

_RETENTION_SWEEP_S = 60.0


@dataclass(frozen=True, slots=True)
class SendResult:
    partition_id: str
    events: list[StoredEvent]


class _Hub:
    def __init__(self, settings: HubSettings, store: Store, created_at_ms: int) -> None:
        self.settings = settings
        self.created_at_ms = created_at_ms
        self.partitions = [
            PartitionLog(settings.name, pid, store.load(settings.name, pid)) for pid in settings.partition_ids
        ]
        self.consumer_groups = {group.casefold(): group for group in settings.consumer_groups}
        self.round_robin = itertools.cycle(range(settings.partition_count))


class EventHubsProvider:
    def __init__(self, settings: NamespaceSettings, store: Store, clock: Clock | None = None) -> None:
        self.namespace = settings.name
        self._store = store
        self._clock = clock or SystemClock()
        created = self._now_ms()
        self._hubs = {hub.name.casefold(): _Hub(hub, store, created) for hub in settings.hubs}
        self.consumers = ConsumerRegistry()
        self._sweeper: asyncio.Task[None] | None = None

    def _now_ms(self) -> int:
        return int(self._clock.now() * 1000)

    def _hub(self, name: str) -> _Hub:
        hub = self._hubs.get(name.casefold())
        if hub is None:
            raise HubNotFoundError(name)
        return hub

    def _partition(self, hub_name: str, partition_id: str) -> tuple[_Hub, PartitionLog]:
        hub = self._hub(hub_name)
        if not partition_id.isdigit() or int(partition_id) >= len(hub.partitions):
            raise PartitionNotFoundError(hub.settings.name, partition_id)
        partition = hub.partitions[int(partition_id)]
        self._expire(hub, partition)
        return hub, partition

    def _expire(self, hub: _Hub, partition: PartitionLog) -> None:
        cutoff = self._now_ms() - int(hub.settings.retention.total_seconds() * 1000)
        begin = partition.expire(cutoff)
        if begin is not None:
            self._store.trim(hub.settings.name, partition.partition_id, begin)
            log.info(
                "events expired",
                extra={"hub": hub.settings.name, "partition": partition.partition_id, "begin": begin},
            )

    # -- inspection -------------------------------------------------------------------------------

    def hub_settings(self, name: str) -> HubSettings:
        return self._hub(name).settings

    def hubs(self) -> list[HubSettings]:
        return [hub.settings for hub in self._hubs.values()]

    def hub_info(self, name: str) -> HubInfo:
        hub = self._hub(name)
        return HubInfo(hub.settings.name, hub.created_at_ms, hub.settings.partition_ids)

    def partition_info(self, hub_name: str, partition_id: str) -> PartitionInfo:
        return self._partition(hub_name, partition_id)[1].info()

    # -- producing --------------------------------------------------------------------------------

    def send(
        self,
        hub_name: str,
        events: Sequence[IncomingEvent],
        *,
        partition_id: str | None = None,
        partition_key: str | None = None,
    ) -> SendResult:
        """Append events to one partition: ``partition_id`` if given, else by ``partition_key``, else
        round-robin. All or nothing: a batch lands whole in one partition."""
        hub = self._hub(hub_name)
        size = sum(len(event.payload) for event in events)
        if size > hub.settings.max_event_size:
            raise EventTooLargeError(size, hub.settings.max_event_size)
        if partition_id is not None:
            _, partition = self._partition(hub_name, partition_id)
        elif partition_key is not None:
            partition = hub.partitions[partition_for_key(partition_key, hub.settings.partition_count)]
        else:
            partition = hub.partitions[next(hub.round_robin)]
        stored = partition.stamp(events, self._now_ms())
        self._store.append(hub.settings.name, partition.partition_id, stored)
        partition.commit(stored)
        return SendResult(partition.partition_id, stored)

    # -- consuming --------------------------------------------------------------------------------

    def receiver_key(self, hub_name: str, consumer_group: str, partition_id: str) -> ReceiverKey:
        """Check that the hub, consumer group and partition exist; the key of their receiver slot."""
        hub, _ = self._partition(hub_name, partition_id)
        group = hub.consumer_groups.get(consumer_group.casefold())
        if group is None:
            raise ConsumerGroupNotFoundError(hub.settings.name, consumer_group)
        return (hub.settings.name.casefold(), group.casefold(), partition_id)

    def open_receiver(
        self,
        hub_name: str,
        consumer_group: str,
        partition_id: str,
        *,
        name: str,
        owner_level: int | None,
        on_stolen: Callable[[str], None],
    ) -> Receiver:
        key = self.receiver_key(hub_name, consumer_group, partition_id)
        return self.consumers.open(key, name, owner_level, on_stolen)

    def close_receiver(self, receiver: Receiver) -> None:
        self.consumers.close(receiver)

    def start_of(self, hub_name: str, partition_id: str, position: EventPosition) -> int:
        return self._partition(hub_name, partition_id)[1].start_of(position)

    def read(
        self, hub_name: str, partition_id: str, from_sequence_number: int, max_count: int
    ) -> list[StoredEvent]:
        return self._partition(hub_name, partition_id)[1].read(from_sequence_number, max_count)

    async def wait_beyond(self, hub_name: str, partition_id: str, sequence_number: int) -> None:
        """Return once the partition holds an event with sequence number >= ``sequence_number``."""
        await self._partition(hub_name, partition_id)[1].wait_beyond(sequence_number)

    # -- lifetime ---------------------------------------------------------------------------------

    def expire_all(self) -> None:
        for hub in self._hubs.values():
            for partition in hub.partitions:
                self._expire(hub, partition)

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(_RETENTION_SWEEP_S)
            self.expire_all()

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        self._store.close()
