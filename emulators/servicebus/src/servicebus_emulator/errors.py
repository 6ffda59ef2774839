"""Typed errors the provider raises; the AMQP layer maps each to an error condition.

Suggested conditions (what the official SDKs recognise) are in each docstring.
"""

from __future__ import annotations

import uuid


class ServiceBusError(Exception):
    """Base of every error the provider raises on purpose."""


class EntityNotFoundError(ServiceBusError):
    """``amqp:not-found``."""

    def __init__(self, address: str) -> None:
        super().__init__(f"The messaging entity '{address}' could not be found.")
        self.address = address


class InvalidOperationError(ServiceBusError):
    """``amqp:not-allowed`` (for example sending to a subscription, or receiving from a topic)."""


class MessageLockLostError(ServiceBusError):
    """``com.microsoft:message-lock-lost``: the lock expired, was released, or never existed."""

    def __init__(self, lock_token: uuid.UUID) -> None:
        super().__init__(f"The lock supplied is invalid or has expired (lock token {lock_token}).")
        self.lock_token = lock_token


class MessageNotFoundError(ServiceBusError):
    """``com.microsoft:message-not-found``: no deferred/scheduled message with that sequence number."""

    def __init__(self, sequence_number: int) -> None:
        super().__init__(f"No message with sequence number {sequence_number} was found.")
        self.sequence_number = sequence_number


class MessageSizeExceededError(ServiceBusError):
    """``amqp:link:message-size-exceeded``."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"The message is {size} bytes; the entity accepts at most {limit} bytes.")
        self.size = size
        self.limit = limit


class EntityAlreadyExistsError(ServiceBusError):
    """``com.microsoft:entity-already-exists`` (a rule name already used on the subscription)."""


class SessionCannotBeLockedError(ServiceBusError):
    """``com.microsoft:session-cannot-be-locked``: another receiver holds the session."""


class SessionLockLostError(ServiceBusError):
    """``com.microsoft:session-lock-lost``: the session lock expired or was released."""
