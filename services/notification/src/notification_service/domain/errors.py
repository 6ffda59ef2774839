"""Typed failures of the notification domain."""

from __future__ import annotations


class NotificationError(Exception):
    """Base of the domain's errors."""


class SendFailedError(NotificationError):
    """A transport refused or did not answer; the send may be retried."""


class SendRejectedError(NotificationError):
    """The transport refused this message for good (e.g. an address it will never accept): retrying
    cannot help, so it is logged as rejected and the event moves on."""
