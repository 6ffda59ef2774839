"""Values the notification domain works with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "PENDING_PAYMENT"
    PAID = "PAID"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    FULFILLED = "FULFILLED"
    CANCELLED = "CANCELLED"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


@dataclass(frozen=True)
class Customer:
    email: str
    name: str
    phone: str | None = None


@dataclass(frozen=True)
class StatusChange:
    """A validated ``OrderStatusChanged`` event, reduced to what the messages need."""

    event_id: str
    order_id: str
    previous_status: OrderStatus | None
    status: OrderStatus
    customer: Customer
    total_value: str
    total_currency: str
    reason: str | None
    occurred_at: str


@dataclass(frozen=True)
class Email:
    to: str
    to_name: str
    subject: str
    text: str
    html: str
    idempotency_key: str
    """Stable per event and channel: the Message-ID / operation id, so a receiver can drop a repeat."""


@dataclass(frozen=True)
class Sms:
    to: str
    body: str
    idempotency_key: str


@dataclass(frozen=True)
class LogEntry:
    """One line of the service's own log: a notification sent, or a poison event passed over."""

    order_id: str | None
    event_id: str | None
    channel: str
    status: str  # "sent" | "rejected" | "poison"
    recipient: str | None
    subject: str | None
    order_status: str | None
    reason: str | None
    at: datetime
