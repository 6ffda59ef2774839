"""Domain records: entity settings, messages as the broker sees them, and what the provider hands back.

A message body is opaque here: the AMQP layer passes the encoded message bytes plus the fields the broker
needs (ids, routing properties, application properties, TTL, schedule), already extracted. Times are
Unix epoch seconds (floats); durations are seconds.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from servicebus_emulator.filters import Rule
from servicebus_emulator.message_fields import PropertyValue

DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024


class ReceiveMode(StrEnum):
    PEEK_LOCK = "peek-lock"
    RECEIVE_AND_DELETE = "receive-and-delete"


class SubQueue(StrEnum):
    MAIN = "main"
    DEAD_LETTER = "deadletter"


class MessageState(StrEnum):
    ACTIVE = "active"
    DEFERRED = "deferred"
    SCHEDULED = "scheduled"
    DEAD_LETTERED = "dead-lettered"


class EntityKind(StrEnum):
    QUEUE = "queue"
    TOPIC = "topic"
    SUBSCRIPTION = "subscription"


@dataclass(frozen=True, slots=True)
class QueueSettings:
    name: str
    lock_duration: float = 60.0
    max_delivery_count: int = 3
    default_message_ttl: float = 3600.0
    dead_lettering_on_message_expiration: bool = False
    requires_duplicate_detection: bool = False
    duplicate_detection_window: float = 20.0
    max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE
    requires_session: bool = False
    forward_to: str | None = None
    """A queue or topic name: every message arriving here moves on there."""
    forward_dead_lettered_messages_to: str | None = None


@dataclass(frozen=True, slots=True)
class SubscriptionSettings:
    name: str
    rules: tuple[Rule, ...]
    lock_duration: float = 60.0
    max_delivery_count: int = 3
    default_message_ttl: float = 3600.0
    dead_lettering_on_message_expiration: bool = False
    dead_lettering_on_filter_evaluation_exceptions: bool = True
    requires_session: bool = False
    forward_to: str | None = None
    forward_dead_lettered_messages_to: str | None = None


@dataclass(frozen=True, slots=True)
class TopicSettings:
    name: str
    subscriptions: tuple[SubscriptionSettings, ...]
    default_message_ttl: float = 3600.0
    requires_duplicate_detection: bool = False
    duplicate_detection_window: float = 20.0
    max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE


@dataclass(frozen=True, slots=True)
class NamespaceSettings:
    name: str
    queues: tuple[QueueSettings, ...] = ()
    topics: tuple[TopicSettings, ...] = ()


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A message as the AMQP layer hands it to the broker for sending or scheduling."""

    encoded: bytes
    message_id: str | None = None
    correlation_id: str | None = None
    subject: str | None = None
    to: str | None = None
    reply_to: str | None = None
    reply_to_session_id: str | None = None
    session_id: str | None = None
    content_type: str | None = None
    application_properties: Mapping[str, PropertyValue] = field(default_factory=dict)
    time_to_live: float | None = None
    scheduled_enqueue_time: float | None = None
    size: int | None = None
    """Encoded size used for the max-message-size check; ``len(encoded)`` when not given."""


@dataclass(slots=True)
class BrokerMessage:
    """One message held by an entity, with its broker state.

    ``entity`` is the key of the entity that holds it: a queue, a subscription, or (for messages scheduled
    on a topic and not yet due) the topic. ``message_id`` is assigned by the broker when the sender set
    none; the AMQP layer stamps it into the delivered message's properties in that case. A message keeps
    its state while locked: a locked deferred message (received by sequence number) is ``DEFERRED`` with
    a lock token, and goes back to deferred if the lock is abandoned or lost.
    """

    entity: str
    sequence_number: int
    encoded: bytes
    message_id: str
    message_id_assigned: bool
    correlation_id: str | None
    subject: str | None
    to: str | None
    reply_to: str | None
    reply_to_session_id: str | None
    session_id: str | None
    content_type: str | None
    application_properties: dict[str, PropertyValue]
    time_to_live: float
    enqueued_time: float
    scheduled_enqueue_time: float | None
    size: int
    state: MessageState = MessageState.ACTIVE
    delivery_count: int = 0
    """Delivery attempts that ended without settlement (abandon, lock expiry): the AMQP header value."""
    lock_token: uuid.UUID | None = None
    locked_until: float | None = None
    dead_letter_reason: str | None = None
    dead_letter_description: str | None = None
    dead_letter_source: str | None = None
    properties_rewritten: bool = False
    """A rule action changed properties: the delivered message takes them from this record, not from
    ``encoded`` (which stays as sent)."""

    @property
    def expires_at(self) -> float:
        return self.enqueued_time + self.time_to_live

    @property
    def is_locked(self) -> bool:
        return self.lock_token is not None

    def metadata(self) -> dict[str, object]:
        """Everything but the body, as JSON-friendly values (admin API, logs of state changes)."""
        return {
            "sequence_number": self.sequence_number,
            "message_id": self.message_id,
            "correlation_id": self.correlation_id,
            "subject": self.subject,
            "to": self.to,
            "reply_to": self.reply_to,
            "session_id": self.session_id,
            "content_type": self.content_type,
            "application_properties": {k: _jsonable(v) for k, v in self.application_properties.items()},
            "state": self.state.value,
            "enqueued_time": _iso(self.enqueued_time),
            "scheduled_enqueue_time": _iso(self.scheduled_enqueue_time),
            "expires_at": _iso(self.expires_at) if self.state is not MessageState.DEAD_LETTERED else None,
            "delivery_count": self.delivery_count,
            "locked_until": _iso(self.locked_until),
            "size": self.size,
            "dead_letter_reason": self.dead_letter_reason,
            "dead_letter_description": self.dead_letter_description,
            "dead_letter_source": self.dead_letter_source,
        }


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(ts, datetime.UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _jsonable(value: PropertyValue) -> object:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, uuid.UUID | datetime.datetime):
        return str(value)
    return value


@dataclass(frozen=True, slots=True)
class SendResult:
    sequence_number: int | None
    """None when the message was dropped as a duplicate or matched no subscription."""
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class EntityCounts:
    active: int = 0
    dead_lettered: int = 0
    scheduled: int = 0
    deferred: int = 0
    locked: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "active": self.active,
            "dead_lettered": self.dead_lettered,
            "scheduled": self.scheduled,
            "deferred": self.deferred,
            "locked": self.locked,
        }
