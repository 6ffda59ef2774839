"""The records the provider keeps per entity and hands out (addresses, entity and session info), and the
small facts every part reads off a message."""

from __future__ import annotations

import asyncio
import dataclasses
import math
from collections import OrderedDict
from dataclasses import dataclass, field

from servicebus_emulator.filters import Rule
from servicebus_emulator.model import BrokerMessage, EntityCounts, EntityKind, MessageState, SubQueue


@dataclass(frozen=True, slots=True)
class Target:
    """A resolved address: an entity, and for receiving, its main queue or dead-letter sub-queue."""

    key: str
    path: str
    kind: EntityKind
    sub_queue: SubQueue = SubQueue.MAIN

    @property
    def address(self) -> str:
        return self.path + ("/$DeadLetterQueue" if self.sub_queue is SubQueue.DEAD_LETTER else "")


@dataclass(frozen=True, slots=True)
class EntityInfo:
    path: str
    kind: EntityKind
    counts: EntityCounts
    topic: str | None = None


@dataclass(eq=False)
class SessionLock:
    """Who holds a session of a session-enabled entity, and until when."""

    owner: object
    locked_until: float


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A session as the admin API shows it."""

    session_id: str
    messages: int
    locked_until: float | None
    has_state: bool


@dataclass(eq=False)
class Entity:
    """A queue, topic or subscription: its settings, its messages and what is kept beside them."""

    key: str
    path: str
    kind: EntityKind
    lock_duration: float = 60.0
    max_delivery_count: int = 10
    default_ttl: float = math.inf
    dead_letter_on_expiry: bool = False
    requires_duplicate_detection: bool = False
    duplicate_window: float = 0.0
    max_message_size: int = 0
    rules: tuple[Rule, ...] = ()
    dead_letter_on_filter_errors: bool = True
    requires_session: bool = False
    forward_to: str | None = None
    forward_dead_letters_to: str | None = None
    topic: Entity | None = None
    subscriptions: list[Entity] = field(default_factory=list)
    messages: dict[int, BrokerMessage] = field(default_factory=dict)
    last_sequence: int = 0
    duplicates: OrderedDict[str, float] = field(default_factory=OrderedDict)
    ready: dict[SubQueue, list[int]] = field(
        default_factory=lambda: {SubQueue.MAIN: [], SubQueue.DEAD_LETTER: []}
    )
    waiters: dict[SubQueue, set[asyncio.Future[None]]] = field(
        default_factory=lambda: {SubQueue.MAIN: set(), SubQueue.DEAD_LETTER: set()}
    )
    session_locks: dict[str, SessionLock] = field(default_factory=dict)
    session_states: dict[str, bytes] = field(default_factory=dict)

    def target(self, sub_queue: SubQueue = SubQueue.MAIN) -> Target:
        return Target(self.key, self.path, self.kind, sub_queue)


def sub_queue_of(message: BrokerMessage) -> SubQueue:
    return SubQueue.DEAD_LETTER if message.state is MessageState.DEAD_LETTERED else SubQueue.MAIN


def is_ready(message: BrokerMessage, sub_queue: SubQueue) -> bool:
    """Whether a receiver of ``sub_queue`` may take the message now."""
    if message.lock_token is not None:
        return False
    if sub_queue is SubQueue.DEAD_LETTER:
        return message.state is MessageState.DEAD_LETTERED
    return message.state is MessageState.ACTIVE


def snapshot(message: BrokerMessage) -> BrokerMessage:
    """A copy to hand out or to store: later changes to the live record do not reach it."""
    return dataclasses.replace(message)


def session_lost(session_id: str) -> str:
    return f"The session lock for session '{session_id}' has expired or was released."
