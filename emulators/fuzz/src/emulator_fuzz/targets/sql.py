"""The Service Bus SQL filter and rule action parser, and evaluation of what parses.

The first input byte picks filter (even) or action (odd); the rest is the text (UTF-8, undecodable
bytes replaced). Documented failures: `SqlSyntaxError` when parsing, `SqlEvaluationError` when
evaluating. A filter that parses must also render back to text that parses to the same tree, and
evaluating one small message must take less than `TIME_LIMIT_S`.
"""

from __future__ import annotations

import datetime
import time
import uuid

from servicebus_emulator.model import BrokerMessage, MessageState
from servicebus_emulator.sql import SqlEvaluationError, SqlSyntaxError, parse_action, parse_filter
from servicebus_emulator.sql.parser import parse_predicate
from servicebus_emulator.sql.render import render

from emulator_fuzz.errors import FuzzFindingError

TIME_LIMIT_S = 1.0
ENQUEUED = 1_700_000_000.0


def sample_message() -> BrokerMessage:
    """A subscription's message with one application property of every type the AMQP layer maps."""
    return BrokerMessage(
        entity="payment-events/Subscriptions/audit",
        sequence_number=42,
        encoded=b"body",
        message_id="m-1",
        message_id_assigned=False,
        correlation_id="c-1",
        subject="PaymentSucceeded",
        to="orders",
        reply_to="replies",
        reply_to_session_id="rs-1",
        session_id="s-1",
        content_type="application/json",
        application_properties={
            "amount": 42,
            "price": 10.5,
            "name": "widget",
            "flag": True,
            "id": uuid.UUID("6f1b7c1e-1d2a-4c1e-9a55-0f0e0d0c0b0a"),
            "at": datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
            "raw": b"\x00\x01",
            "nothing": None,
            "big": 9_223_372_036_854_775_807,
        },
        time_to_live=3600.0,
        enqueued_time=ENQUEUED,
        scheduled_enqueue_time=None,
        size=321,
        state=MessageState.ACTIVE,
        delivery_count=2,
        lock_token=uuid.UUID("6f1b7c1e-1d2a-4c1e-9a55-0f0e0d0c0b0b"),
        locked_until=ENQUEUED + 60,
        dead_letter_source=None,
    )


_MESSAGE = sample_message()


def sql_target(data: bytes) -> None:
    if not data:
        return
    text = data[1:].decode("utf-8", "replace")
    started = time.perf_counter()
    if data[0] % 2 == 0:
        _filter(text)
    else:
        _action(text)
    elapsed = time.perf_counter() - started
    if elapsed > TIME_LIMIT_S:
        raise FuzzFindingError(f"{elapsed:.2f} s to parse and evaluate {len(text)} characters")


def _filter(text: str) -> None:
    try:
        parsed = parse_filter(text)
    except SqlSyntaxError:
        return
    rendered = render(parsed.predicate)
    if parse_predicate(rendered) != parsed.predicate:
        raise FuzzFindingError(f"{text!r} renders as {rendered!r}, which parses differently")
    try:
        parsed.evaluate(_MESSAGE)
    except SqlEvaluationError:
        return


def _action(text: str) -> None:
    try:
        parsed = parse_action(text)
    except SqlSyntaxError:
        return
    try:
        parsed.apply(_MESSAGE)
    except SqlEvaluationError:
        return
