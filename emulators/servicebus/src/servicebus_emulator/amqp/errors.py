"""Provider errors → AMQP error conditions and management status codes (translated once, here)."""

from __future__ import annotations

from amqp_core.errors import Condition

from servicebus_emulator.errors import (
    EntityAlreadyExistsError,
    EntityNotFoundError,
    InvalidOperationError,
    MessageLockLostError,
    MessageNotFoundError,
    MessageSizeExceededError,
    ServiceBusError,
    SessionCannotBeLockedError,
    SessionLockLostError,
)

_CONDITIONS: list[tuple[type[ServiceBusError], str, int]] = [
    (EntityNotFoundError, Condition.NOT_FOUND, 404),
    (MessageNotFoundError, Condition.MESSAGE_NOT_FOUND, 404),
    (MessageLockLostError, Condition.MESSAGE_LOCK_LOST, 410),
    (MessageSizeExceededError, Condition.MESSAGE_SIZE_EXCEEDED, 413),
    (InvalidOperationError, Condition.NOT_ALLOWED, 400),
    (EntityAlreadyExistsError, "com.microsoft:entity-already-exists", 409),
    (SessionCannotBeLockedError, Condition.SESSION_CANNOT_BE_LOCKED, 410),
    (SessionLockLostError, Condition.SESSION_LOCK_LOST, 410),
]


def condition_of(error: ServiceBusError) -> tuple[str, int]:
    """The AMQP condition and the management status code for a provider error."""
    for kind, condition, status in _CONDITIONS:
        if isinstance(error, kind):
            return condition, status
    return Condition.INTERNAL_ERROR, 500
