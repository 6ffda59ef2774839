"""The store contract: what the provider persists, and what it reads back at start.

The provider keeps every entity's state in memory and tells the store about each change as a list of
operations. A list is applied atomically, and lists are applied in the order they were submitted. The
returned future completes once the change is durable; the provider awaits it where an acknowledgement
depends on durability (a send) and lets it run on where it does not (a lock taken on receive).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from servicebus_emulator.model import BrokerMessage


@dataclass(frozen=True, slots=True)
class PutMessage:
    """Insert a message, body included (or replace one with the same entity and sequence number)."""

    message: BrokerMessage


@dataclass(frozen=True, slots=True)
class UpdateMessage:
    """Rewrite a message's broker state (not its body)."""

    message: BrokerMessage


@dataclass(frozen=True, slots=True)
class DeleteMessage:
    entity: str
    sequence_number: int


@dataclass(frozen=True, slots=True)
class SetSequence:
    """The last sequence number handed out by a queue or topic."""

    entity: str
    last: int


@dataclass(frozen=True, slots=True)
class PutDuplicate:
    entity: str
    message_id: str
    seen_at: float


@dataclass(frozen=True, slots=True)
class DeleteDuplicate:
    entity: str
    message_id: str


@dataclass(frozen=True, slots=True)
class PutSessionState:
    """A session's state; None removes it."""

    entity: str
    session_id: str
    state: bytes | None


StoreOp = (
    PutMessage
    | UpdateMessage
    | DeleteMessage
    | SetSequence
    | PutDuplicate
    | DeleteDuplicate
    | PutSessionState
)


@dataclass(slots=True)
class Snapshot:
    messages: list[BrokerMessage] = field(default_factory=list)
    sequences: dict[str, int] = field(default_factory=dict)
    duplicates: list[PutDuplicate] = field(default_factory=list)
    session_states: list[PutSessionState] = field(default_factory=list)


class Store(Protocol):
    def load(self) -> Snapshot:
        """Everything persisted so far (empty for a new store)."""
        ...

    def submit(self, ops: Sequence[StoreOp]) -> asyncio.Future[None]:
        """Queue ``ops`` as one atomic change; the future completes once it is durable."""
        ...

    async def close(self) -> None: ...
