"""Where partitions keep their events. The provider holds every live event in memory and hands each
change to a store; a durable store has made the change durable when its method returns, which is why a
send is acknowledged only after `Store.append` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from eventhubs_emulator.model import StoredEvent


@dataclass(slots=True)
class PartitionSnapshot:
    """A partition as a store found it at start: its live events and where numbering continues."""

    next_sequence_number: int = 0
    next_offset: int = 0
    last_enqueued_time_ms: int = 0
    events: list[StoredEvent] = field(default_factory=list)


class Store(Protocol):
    def load(self, hub: str, partition_id: str) -> PartitionSnapshot:
        """The partition's state (empty for a partition the store has never seen)."""
        ...

    def append(self, hub: str, partition_id: str, events: Sequence[StoredEvent]) -> None:
        """Add events (consecutive sequence numbers) at the end of the partition, durably."""
        ...

    def trim(self, hub: str, partition_id: str, before_sequence_number: int) -> None:
        """Forget the events whose sequence number is below ``before_sequence_number`` (retention)."""
        ...

    def close(self) -> None: ...
