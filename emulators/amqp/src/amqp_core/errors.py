"""AMQP error conditions as data, and the exceptions that carry them to the edge.

Conditions are plain strings: the constants below are the ones the specification and Azure define, and
any other condition string is allowed. Raise :class:`LinkError` from an application callback to refuse
or detach a link, :class:`SessionError` to end the session, :class:`AmqpConnectionError` to close the
connection; the core turns each into the matching performative with an ``amqp:error`` record.
"""

from __future__ import annotations

from typing import Any

from amqp_core.performatives import AmqpError

__all__ = [
    "AmqpConditionError",
    "AmqpConnectionError",
    "Condition",
    "LinkError",
    "SessionError",
]


class Condition:
    """Well-known error conditions (AMQP 1.0 section 2.8.15 ff. and Azure's additions)."""

    INTERNAL_ERROR = "amqp:internal-error"
    NOT_FOUND = "amqp:not-found"
    UNAUTHORIZED_ACCESS = "amqp:unauthorized-access"
    DECODE_ERROR = "amqp:decode-error"
    RESOURCE_LIMIT_EXCEEDED = "amqp:resource-limit-exceeded"
    NOT_ALLOWED = "amqp:not-allowed"
    INVALID_FIELD = "amqp:invalid-field"
    NOT_IMPLEMENTED = "amqp:not-implemented"
    RESOURCE_LOCKED = "amqp:resource-locked"
    PRECONDITION_FAILED = "amqp:precondition-failed"
    RESOURCE_DELETED = "amqp:resource-deleted"
    ILLEGAL_STATE = "amqp:illegal-state"
    FRAME_SIZE_TOO_SMALL = "amqp:frame-size-too-small"
    CONNECTION_FORCED = "amqp:connection:forced"
    FRAMING_ERROR = "amqp:connection:framing-error"
    CONNECTION_REDIRECT = "amqp:connection:redirect"
    WINDOW_VIOLATION = "amqp:session:window-violation"
    ERRANT_LINK = "amqp:session:errant-link"
    HANDLE_IN_USE = "amqp:session:handle-in-use"
    UNATTACHED_HANDLE = "amqp:session:unattached-handle"
    DETACH_FORCED = "amqp:link:detach-forced"
    TRANSFER_LIMIT_EXCEEDED = "amqp:link:transfer-limit-exceeded"
    MESSAGE_SIZE_EXCEEDED = "amqp:link:message-size-exceeded"
    LINK_REDIRECT = "amqp:link:redirect"
    STOLEN = "amqp:link:stolen"
    SERVER_BUSY = "com.microsoft:server-busy"
    TIMEOUT = "com.microsoft:timeout"
    ARGUMENT_ERROR = "com.microsoft:argument-error"
    ARGUMENT_OUT_OF_RANGE = "com.microsoft:argument-out-of-range"
    ENTITY_DISABLED = "com.microsoft:entity-disabled"
    MESSAGE_LOCK_LOST = "com.microsoft:message-lock-lost"
    SESSION_LOCK_LOST = "com.microsoft:session-lock-lost"
    SESSION_CANNOT_BE_LOCKED = "com.microsoft:session-cannot-be-locked"
    MESSAGE_NOT_FOUND = "com.microsoft:message-not-found"
    DEAD_LETTER = "com.microsoft:dead-letter"


class AmqpConditionError(Exception):
    """An error to send to the peer as an ``amqp:error`` record."""

    def __init__(self, condition: str, description: str | None = None, info: dict[str, Any] | None = None):
        super().__init__(f"{condition}: {description}" if description else condition)
        self.condition = condition
        self.description = description
        self.info = info

    def to_error(self) -> AmqpError:
        return AmqpError(condition=self.condition, description=self.description, info=self.info)


class LinkError(AmqpConditionError):
    """Refuse or detach a link (sent in a detach with closed=true)."""


class SessionError(AmqpConditionError):
    """End the session (sent in an end)."""


class AmqpConnectionError(AmqpConditionError):
    """Close the connection (sent in a close)."""
