"""System properties (``sys.`` scope): their names, how they are read from a message, which can be set.

Names are Azure's (the public properties of ``BrokeredMessage`` / ``ServiceBusReceivedMessage``) and are
matched case-insensitively. Each maps to a field of `servicebus_emulator.model.BrokerMessage`; the
filter protocol only promises the `MessageView` fields, so the broker-assigned ones are read when the
message has them and are NULL otherwise (e.g. on an `IncomingMessage`). Azure properties this emulator
does not model (``PartitionKey``, ``ViaPartitionKey``, ``TransactionPartitionKey``, ``ForcePersistence``)
are accepted and always NULL.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from servicebus_emulator.message_fields import MessageView

Getter = Callable[[MessageView], object]


def _field(name: str) -> Getter:
    def get(message: MessageView) -> object:
        return getattr(message, name, None)

    return get


def _timestamp(name: str) -> Getter:
    def get(message: MessageView) -> object:
        value = getattr(message, name, None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return datetime.datetime.fromtimestamp(value, datetime.UTC)
            except (OverflowError, OSError, ValueError):
                return None
        return None

    return get


def _time_to_live(message: MessageView) -> object:
    value = getattr(message, "time_to_live", None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.timedelta(seconds=value)
        except OverflowError:
            return datetime.timedelta.max
    return None


def _state(message: MessageView) -> object:
    state: Any = getattr(message, "state", None)
    value = getattr(state, "value", None)
    # Azure's MessageState names: Active, Deferred, Scheduled (dead-lettered messages are never filtered).
    return value.replace("-", " ").title().replace(" ", "") if isinstance(value, str) else None


def _lock_token(message: MessageView) -> object:
    value = getattr(message, "lock_token", None)
    return value if isinstance(value, uuid.UUID) else None


def _missing(message: MessageView) -> object:
    return None


@dataclass(frozen=True, slots=True)
class SystemProperty:
    name: str
    """Azure's spelling."""
    get: Getter
    field: str | None = None
    """The `BrokerMessage` field a rule action may set; None when the property is read-only here."""


_PROPERTIES = (
    SystemProperty("MessageId", _field("message_id"), "message_id"),
    SystemProperty("CorrelationId", _field("correlation_id"), "correlation_id"),
    SystemProperty("To", _field("to"), "to"),
    SystemProperty("ReplyTo", _field("reply_to"), "reply_to"),
    SystemProperty("ReplyToSessionId", _field("reply_to_session_id"), "reply_to_session_id"),
    SystemProperty("SessionId", _field("session_id"), "session_id"),
    SystemProperty("Label", _field("subject"), "subject"),
    SystemProperty("Subject", _field("subject"), "subject"),
    SystemProperty("ContentType", _field("content_type"), "content_type"),
    SystemProperty("Size", _field("size")),
    SystemProperty("DeliveryCount", _field("delivery_count")),
    SystemProperty("SequenceNumber", _field("sequence_number")),
    SystemProperty("EnqueuedSequenceNumber", _field("sequence_number")),
    SystemProperty("EnqueuedTimeUtc", _timestamp("enqueued_time")),
    SystemProperty("ScheduledEnqueueTimeUtc", _timestamp("scheduled_enqueue_time")),
    SystemProperty("ExpiresAtUtc", _timestamp("expires_at")),
    SystemProperty("LockedUntilUtc", _timestamp("locked_until")),
    SystemProperty("TimeToLive", _time_to_live),
    SystemProperty("LockToken", _lock_token),
    SystemProperty("DeadLetterSource", _field("dead_letter_source")),
    SystemProperty("State", _state),
    SystemProperty("PartitionKey", _missing),
    SystemProperty("ViaPartitionKey", _missing),
    SystemProperty("TransactionPartitionKey", _missing),
    SystemProperty("ForcePersistence", _missing),
)

SYSTEM_PROPERTIES: dict[str, SystemProperty] = {p.name.casefold(): p for p in _PROPERTIES}
"""Keyed by the case-folded name."""


def lookup(name: str) -> SystemProperty | None:
    return SYSTEM_PROPERTIES.get(name.casefold())
