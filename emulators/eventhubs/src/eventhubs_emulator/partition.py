"""One partition: an append-only log of events with sequence numbers, offsets and enqueued times.

Live events sit in a list ordered by sequence number. Sequence numbers are consecutive, so an event is
found by arithmetic; offsets and enqueued times never decrease, so positions by offset or time are
found by bisection. Retention removes events from the front only, which moves the begin sequence number.

Readers wait on `wait_beyond` and are woken by the append that gives them something to read.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Sequence

from eventhubs_emulator.model import (
    EventPosition,
    IncomingEvent,
    PartitionInfo,
    PositionKind,
    StoredEvent,
)
from eventhubs_emulator.store.base import PartitionSnapshot

# Expired events stay as a dead prefix of the list until there are this many and they make up half of it,
# so trimming costs one list copy per many expiries rather than one per expiry.
_COMPACT_AFTER = 1024


class PartitionLog:
    def __init__(self, hub: str, partition_id: str, snapshot: PartitionSnapshot) -> None:
        self.hub = hub
        self.partition_id = partition_id
        self._events: list[StoredEvent] = list(snapshot.events)
        self._head = 0
        self.next_sequence_number = snapshot.next_sequence_number
        self.next_offset = snapshot.next_offset
        self.last_enqueued_time_ms = snapshot.last_enqueued_time_ms
        self._arrived = asyncio.Event()

    @property
    def begin_sequence_number(self) -> int:
        """The sequence number of the oldest live event, or the next one to come when there is none."""
        if self._head < len(self._events):
            return self._events[self._head].sequence_number
        return self.next_sequence_number

    @property
    def count(self) -> int:
        return len(self._events) - self._head

    def stamp(self, incoming: Sequence[IncomingEvent], now_ms: int) -> list[StoredEvent]:
        """Number new events (not yet part of the log: `commit` adds them once they are stored).

        Enqueued times never go backwards within a partition, even if the wall clock does, so that a
        position by enqueued time stays a position in the log.
        """
        enqueued = max(now_ms, self.last_enqueued_time_ms)
        sequence = self.next_sequence_number
        offset = self.next_offset
        stored = []
        for event in incoming:
            record = StoredEvent(sequence, offset, enqueued, event.partition_key, event.payload)
            stored.append(record)
            sequence += 1
            offset = record.next_offset
        return stored

    def commit(self, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        self._events.extend(events)
        last = events[-1]
        self.next_sequence_number = last.sequence_number + 1
        self.next_offset = last.next_offset
        self.last_enqueued_time_ms = last.enqueued_time_ms
        self._arrived.set()
        self._arrived = asyncio.Event()

    def expire(self, cutoff_ms: int) -> int | None:
        """Drop events enqueued before ``cutoff_ms``; the new begin sequence number if any were dropped."""
        live = self._events
        keep = bisect.bisect_left(live, cutoff_ms, self._head, len(live), key=lambda e: e.enqueued_time_ms)
        if keep == self._head:
            return None
        self._head = keep
        if self._head >= _COMPACT_AFTER and self._head * 2 >= len(live):
            del live[: self._head]
            self._head = 0
        return self.begin_sequence_number

    def start_of(self, position: EventPosition) -> int:
        """The sequence number of the first event a reader at ``position`` gets.

        A position before the oldest live event starts at the oldest; one past the end starts with the
        next event to be enqueued.
        """
        live = self._events
        if position.kind is PositionKind.EARLIEST:
            return self.begin_sequence_number
        if position.kind is PositionKind.LATEST:
            return self.next_sequence_number
        if position.kind is PositionKind.SEQUENCE_NUMBER:
            first = position.value if position.inclusive else position.value + 1
            return min(max(first, self.begin_sequence_number), self.next_sequence_number)
        if position.kind is PositionKind.OFFSET:
            finder = bisect.bisect_left if position.inclusive else bisect.bisect_right
            index = finder(live, position.value, self._head, len(live), key=lambda e: e.offset)
        else:
            finder = bisect.bisect_left if position.inclusive else bisect.bisect_right
            index = finder(live, position.value, self._head, len(live), key=lambda e: e.enqueued_time_ms)
        return live[index].sequence_number if index < len(live) else self.next_sequence_number

    def read(self, from_sequence_number: int, max_count: int) -> list[StoredEvent]:
        """Up to ``max_count`` events from ``from_sequence_number`` on (from the oldest if it expired)."""
        if self._head >= len(self._events):
            return []
        first = self._events[self._head].sequence_number
        start = self._head + max(from_sequence_number - first, 0)
        return self._events[start : start + max_count]

    async def wait_beyond(self, sequence_number: int) -> None:
        """Return once an event with a sequence number >= ``sequence_number`` is in the log."""
        while self.next_sequence_number <= sequence_number:
            await self._arrived.wait()

    def info(self) -> PartitionInfo:
        empty = self.count == 0
        # A partition that never held an event reports -1 throughout, as Azure does.
        never_used = self.next_sequence_number == 0
        return PartitionInfo(
            hub=self.hub,
            partition_id=self.partition_id,
            begin_sequence_number=-1 if never_used else self.begin_sequence_number,
            last_sequence_number=self.next_sequence_number - 1,
            last_offset=self._events[-1].offset if not empty else -1,
            last_enqueued_time_ms=self.last_enqueued_time_ms,
            is_empty=empty,
            event_count=self.count,
        )
