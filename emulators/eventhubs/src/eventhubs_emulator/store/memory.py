"""The default store: nothing outlives the process; the provider's in-memory log is all there is."""

from __future__ import annotations

from collections.abc import Sequence

from eventhubs_emulator.model import StoredEvent
from eventhubs_emulator.store.base import PartitionSnapshot


class MemoryStore:
    def load(self, hub: str, partition_id: str) -> PartitionSnapshot:
        del hub, partition_id
        return PartitionSnapshot()

    def append(self, hub: str, partition_id: str, events: Sequence[StoredEvent]) -> None:
        del hub, partition_id, events

    def trim(self, hub: str, partition_id: str, before_sequence_number: int) -> None:
        del hub, partition_id, before_sequence_number

    def close(self) -> None:
        pass
