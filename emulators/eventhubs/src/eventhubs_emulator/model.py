"""Event Hubs domain records: settings, stored events, read positions and runtime information.

Offsets are byte positions: an event's offset is the sum of the encoded sizes of every event enqueued
before it in its partition (the first event has offset 0). They are stable (never reused, kept across
restarts with ``--data-dir``), strictly increasing, and deliberately not equal to sequence numbers, so
a client that mixes the two up fails here as it would against Azure.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

DEFAULT_CONSUMER_GROUP = "$Default"
DEFAULT_RETENTION = timedelta(days=7)
DEFAULT_MAX_EVENT_SIZE = 1024 * 1024
MAX_PARTITIONS = 32


@dataclass(frozen=True, slots=True)
class HubSettings:
    name: str
    partition_count: int
    consumer_groups: tuple[str, ...] = (DEFAULT_CONSUMER_GROUP,)
    retention: timedelta = DEFAULT_RETENTION
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE

    @property
    def partition_ids(self) -> tuple[str, ...]:
        return tuple(str(index) for index in range(self.partition_count))


@dataclass(frozen=True, slots=True)
class NamespaceSettings:
    name: str
    hubs: tuple[HubSettings, ...]


@dataclass(frozen=True, slots=True)
class IncomingEvent:
    """An event as a producer sent it: the encoded AMQP message and its partition key, if any."""

    payload: bytes
    partition_key: str | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    sequence_number: int
    offset: int
    enqueued_time_ms: int
    partition_key: str | None
    payload: bytes

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.payload)


class PositionKind(enum.Enum):
    EARLIEST = "earliest"
    LATEST = "latest"
    OFFSET = "offset"
    SEQUENCE_NUMBER = "sequence-number"
    ENQUEUED_TIME = "enqueued-time"


@dataclass(frozen=True, slots=True)
class EventPosition:
    """Where a reader starts. ``value`` is an offset, a sequence number or a time in Unix milliseconds."""

    kind: PositionKind
    value: int = 0
    inclusive: bool = False

    @classmethod
    def earliest(cls) -> EventPosition:
        return cls(PositionKind.EARLIEST)

    @classmethod
    def latest(cls) -> EventPosition:
        return cls(PositionKind.LATEST)


@dataclass(frozen=True, slots=True)
class PartitionInfo:
    """Runtime information of one partition. An empty partition reports -1 for last sequence/offset."""

    hub: str
    partition_id: str
    begin_sequence_number: int
    last_sequence_number: int
    last_offset: int
    last_enqueued_time_ms: int
    is_empty: bool
    event_count: int


@dataclass(frozen=True, slots=True)
class HubInfo:
    name: str
    created_at_ms: int
    partition_ids: tuple[str, ...]
