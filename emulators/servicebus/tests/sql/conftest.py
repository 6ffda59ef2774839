"""Shared factories for the SQL filter and action tests: broker messages and one-line evaluation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from servicebus_emulator.model import BrokerMessage, MessageState
from servicebus_emulator.sql import parse_filter

ENQUEUED = 1_700_000_000.0
LOCK_TOKEN = uuid.UUID("6f1b7c1e-1d2a-4c1e-9a55-0f0e0d0c0b0a")


def broker_message(**fields: Any) -> BrokerMessage:
    """A message as a subscription holds it: enqueued at 1_700_000_000, TTL one hour, locked 60 s."""
    values: dict[str, Any] = {
        "entity": "events/Subscriptions/audit",
        "sequence_number": 42,
        "encoded": b"body",
        "message_id": "m-1",
        "message_id_assigned": False,
        "correlation_id": "c-1",
        "subject": "PaymentSucceeded",
        "to": "orders",
        "reply_to": "replies",
        "reply_to_session_id": "rs-1",
        "session_id": "s-1",
        "content_type": "application/json",
        "application_properties": {},
        "time_to_live": 3600.0,
        "enqueued_time": ENQUEUED,
        "scheduled_enqueue_time": None,
        "size": 321,
        "state": MessageState.ACTIVE,
        "delivery_count": 2,
        "lock_token": LOCK_TOKEN,
        "locked_until": ENQUEUED + 60,
        "dead_letter_source": None,
    }
    values.update(fields)
    return BrokerMessage(**values)


@pytest.fixture
def message() -> Callable[..., BrokerMessage]:
    return broker_message


@pytest.fixture
def sql() -> Callable[..., bool | None]:
    """``sql("a > 1", a=2)``: the filter's three-valued result on a message with those properties."""

    def evaluate(text: str, /, **properties: Any) -> bool | None:
        return parse_filter(text).evaluate(broker_message(application_properties=properties))

    return evaluate
