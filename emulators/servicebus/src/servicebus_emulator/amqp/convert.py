"""AMQP messages ↔ the provider's records: what the broker extracts on send, what it stamps on delivery."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from amqp_core.codec import decode_value, encode_into
from amqp_core.message import Header, Message, Properties, decode_message, encode_message
from amqp_core.sections import MESSAGE_ANNOTATIONS, annotated
from amqp_core.types import Described, Int, Long, Symbol, Timestamp, ULong

from servicebus_emulator.message_fields import PropertyValue
from servicebus_emulator.model import BrokerMessage, IncomingMessage, MessageState

SCHEDULED_ENQUEUE_TIME = "x-opt-scheduled-enqueue-time"
SEQUENCE_NUMBER = "x-opt-sequence-number"
ENQUEUED_TIME = "x-opt-enqueued-time"
LOCKED_UNTIL = "x-opt-locked-until"
DEAD_LETTER_SOURCE = "x-opt-deadletter-source"
MESSAGE_STATE = "x-opt-message-state"
# Azure's values (the SDKs' ServiceBusMessageState: 0 active, 1 deferred, 2 scheduled), an AMQP int. Active
# is the SDKs' default when the annotation is absent, so only the other two are stamped.
_MESSAGE_STATES = {MessageState.DEFERRED: Int(1), MessageState.SCHEDULED: Int(2)}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _seconds(value: Any) -> float | None:
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value) / 1000
    return None


def plain(value: Any) -> PropertyValue:
    """An application property as plain Python (the provider's filters compare these)."""
    if isinstance(value, Timestamp):
        return value.to_datetime()
    if value is None or isinstance(value, str | bytes | bool | uuid.UUID | datetime.datetime):
        return str(value) if isinstance(value, Symbol) else value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def incoming(encoded: bytes, message: Message | None = None) -> IncomingMessage:
    """The broker's view of one encoded message (raises DecodeError if it does not decode)."""
    message = message or decode_message(encoded)
    properties = message.properties or Properties()
    annotations = message.message_annotations or {}
    header = message.header
    return IncomingMessage(
        encoded=encoded,
        message_id=_text(properties.message_id),
        correlation_id=_text(properties.correlation_id),
        subject=properties.subject,
        to=properties.to,
        reply_to=properties.reply_to,
        reply_to_session_id=properties.reply_to_group_id,
        session_id=properties.group_id,
        content_type=_text(properties.content_type),
        application_properties={
            str(key): plain(value) for key, value in (message.application_properties or {}).items()
        },
        time_to_live=header.ttl / 1000 if header is not None and header.ttl else None,
        scheduled_enqueue_time=_seconds(annotations.get(SCHEDULED_ENQUEUE_TIME)),
    )


def _timestamp(seconds: float) -> Timestamp:
    stamp: Timestamp = Timestamp(round(seconds * 1000))
    return stamp


def _rewrite(message: Message, record: BrokerMessage) -> None:
    """Carry a rule action's changes onto the message; untouched values keep their AMQP types."""
    properties = message.properties or Properties()
    for name, value in (
        ("message_id", record.message_id),
        ("correlation_id", record.correlation_id),
        ("subject", record.subject),
        ("to", record.to),
        ("reply_to", record.reply_to),
        ("reply_to_group_id", record.reply_to_session_id),
        ("group_id", record.session_id),
    ):
        if _text(getattr(properties, name)) != value:
            setattr(properties, name, value)
    if _text(properties.content_type) != record.content_type:
        properties.content_type = None if record.content_type is None else Symbol(record.content_type)
    message.properties = properties
    original = message.application_properties or {}
    message.application_properties = {
        key: original[key] if key in original and plain(original[key]) == value else value
        for key, value in record.application_properties.items()
    }


def _stamped(annotations: dict[Any, Any], record: BrokerMessage, *, locked: bool) -> dict[Any, Any]:
    """The message annotations a receiver gets: the stored ones with the broker's stamped on."""
    annotations[Symbol(SEQUENCE_NUMBER)] = Long(record.sequence_number)
    annotations[Symbol(ENQUEUED_TIME)] = _timestamp(record.enqueued_time)
    if locked and record.locked_until is not None:
        annotations[Symbol(LOCKED_UNTIL)] = _timestamp(record.locked_until)
    if record.dead_letter_source:
        annotations[Symbol(DEAD_LETTER_SOURCE)] = record.dead_letter_source
    if (state := _MESSAGE_STATES.get(record.state)) is not None:
        annotations[Symbol(MESSAGE_STATE)] = state
    return annotations


def delivered(record: BrokerMessage, *, locked: bool) -> Message:
    """The stored message with the broker's annotations stamped on, as a receiver gets it."""
    message = decode_message(record.encoded)
    if record.properties_rewritten:
        _rewrite(message, record)
    message.message_annotations = _stamped(dict(message.message_annotations or {}), record, locked=locked)
    header = message.header or Header()
    header.delivery_count = record.delivery_count
    message.header = header
    if record.message_id_assigned:
        # Node's SDK sends no message-id and cannot complete a message without one.
        properties = message.properties or Properties()
        properties.message_id = record.message_id
        message.properties = properties
    if record.dead_letter_reason is not None or record.dead_letter_description is not None:
        application = dict(message.application_properties or {})
        application["DeadLetterReason"] = record.dead_letter_reason or ""
        application["DeadLetterErrorDescription"] = record.dead_letter_description or ""
        message.application_properties = application
    return message


def _rewrites_bare_message(record: BrokerMessage) -> bool:
    """Whether a delivery changes more than the header and the message annotations."""
    return (
        record.properties_rewritten
        or record.message_id_assigned
        or record.dead_letter_reason is not None
        or record.dead_letter_description is not None
    )


def _spliced(record: BrokerMessage, *, locked: bool) -> bytes | None:
    """The delivered message built from the stored bytes: a new header and message annotations, the
    delivery annotations and the bare message as stored (the same message ``delivered`` decodes, rewrites
    and encodes whole). None when the stored sections are not in the specification's order, so the caller
    takes the whole path."""
    split = annotated(record.encoded)
    if split is None:
        return None
    header = Header()
    if split.header:
        fields = decode_value(split.header, 0)[0].value
        header = Header.from_list(fields if isinstance(fields, list) else [])
    header.delivery_count = record.delivery_count
    out = bytearray()
    encode_into(out, header.encode())
    out += split.delivery_annotations
    encode_into(
        out, Described(ULong(MESSAGE_ANNOTATIONS), _stamped(split.message_annotations, record, locked=locked))
    )
    out += split.bare
    return bytes(out)


def delivered_bytes(record: BrokerMessage, *, locked: bool) -> bytes:
    """``delivered`` encoded. A message whose delivery changes only its header and annotations (all but
    dead-lettered ones and those whose properties the broker rewrote or filled in) is spliced from its
    stored bytes instead of decoded and encoded whole: the same message, a third of the work."""
    if not _rewrites_bare_message(record):
        spliced = _spliced(record, locked=locked)
        if spliced is not None:
            return spliced
    return encode_message(delivered(record, locked=locked))
