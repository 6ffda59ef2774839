"""Which events of a partition may have been handled before: only the first ones after it was claimed.

A partition's events are handled in order, one after the other, each one's log rows written before the
next one starts, by this process and by any reader before it; and a reader starts at the partition's
checkpoint, which is never ahead of an event handled. So the events with rows form a prefix of what
follows the checkpoint, and once one event after a claim finds no row, no later event of the same claim
can have one: the dedupe read is needed until that first miss, not after it (README, Once per event).
"""

from __future__ import annotations


class RedeliveredPrefix:
    """Per partition, whether the current claim is still within events a reader before it may have
    handled. Claims are numbered by the source (``InboundEvent.claim``); a new number starts a new
    prefix."""

    def __init__(self) -> None:
        self._past: dict[str, int] = {}
        """Partition id -> the claim whose redelivered prefix is behind us."""

    def may_be_repeat(self, partition_id: str, claim: int) -> bool:
        return self._past.get(partition_id) != claim

    def passed(self, partition_id: str, claim: int) -> None:
        """An event of ``claim`` had no row in the log: every later event of that claim is new."""
        self._past[partition_id] = claim
