"""AMQP 1.0 messages (part 3): the sections of a bare and annotated message, and batches.

A message on the wire is a sequence of described sections: header, delivery-annotations,
message-annotations, properties, application-properties, a body (one or more data sections, one or more
amqp-sequence sections, or one amqp-value), footer. Annotation maps keep the decoder's types (symbol
keys), so re-encoding a decoded message reproduces it.

A batch is a transfer whose message-format is :data:`BATCH_MESSAGE_FORMAT`; each of its data sections is
one whole encoded message. Only the format says so: a plain message may carry several data sections.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from amqp_core.codec import DecodeError, decode_value, encode_into
from amqp_core.performatives import (
    ANY,
    BINARY,
    BOOLEAN,
    STRING,
    SYMBOL,
    TIMESTAMP,
    UBYTE,
    UINT,
    Record,
    spec,
)
from amqp_core.types import Described, ULong

__all__ = [
    "BATCH_MESSAGE_FORMAT",
    "AmqpSequence",
    "AmqpValue",
    "Data",
    "Header",
    "Message",
    "Properties",
    "decode_batch",
    "decode_message",
    "encode_batch",
    "encode_message",
]

BATCH_MESSAGE_FORMAT = 0x80013700

_DELIVERY_ANNOTATIONS = 0x71
_MESSAGE_ANNOTATIONS = 0x72
_APPLICATION_PROPERTIES = 0x74
_DATA = 0x75
_AMQP_SEQUENCE = 0x76
_AMQP_VALUE = 0x77
_FOOTER = 0x78

_SYMBOLIC = {
    "amqp:header:list": 0x70,
    "amqp:delivery-annotations:map": _DELIVERY_ANNOTATIONS,
    "amqp:message-annotations:map": _MESSAGE_ANNOTATIONS,
    "amqp:properties:list": 0x73,
    "amqp:application-properties:map": _APPLICATION_PROPERTIES,
    "amqp:data:binary": _DATA,
    "amqp:amqp-sequence:list": _AMQP_SEQUENCE,
    "amqp:value:*": _AMQP_VALUE,
    "amqp:footer:map": _FOOTER,
}


@dataclasses.dataclass
class Header(Record):
    CODE = 0x70
    NAME = "amqp:header:list"
    durable: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    priority: int = dataclasses.field(default=4, metadata=spec(UBYTE))
    ttl: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    first_acquirer: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    delivery_count: int = dataclasses.field(default=0, metadata=spec(UINT))


@dataclasses.dataclass
class Properties(Record):
    CODE = 0x73
    NAME = "amqp:properties:list"
    message_id: Any = dataclasses.field(default=None, metadata=spec(ANY))
    user_id: bytes | None = dataclasses.field(default=None, metadata=spec(BINARY))
    to: str | None = dataclasses.field(default=None, metadata=spec(STRING))
    subject: str | None = dataclasses.field(default=None, metadata=spec(STRING))
    reply_to: str | None = dataclasses.field(default=None, metadata=spec(STRING))
    correlation_id: Any = dataclasses.field(default=None, metadata=spec(ANY))
    content_type: str | None = dataclasses.field(default=None, metadata=spec(SYMBOL))
    content_encoding: str | None = dataclasses.field(default=None, metadata=spec(SYMBOL))
    absolute_expiry_time: int | None = dataclasses.field(default=None, metadata=spec(TIMESTAMP))
    creation_time: int | None = dataclasses.field(default=None, metadata=spec(TIMESTAMP))
    group_id: str | None = dataclasses.field(default=None, metadata=spec(STRING))
    group_sequence: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    reply_to_group_id: str | None = dataclasses.field(default=None, metadata=spec(STRING))


@dataclasses.dataclass
class Data:
    """A body of one or more binary data sections."""

    sections: list[bytes]


@dataclasses.dataclass
class AmqpSequence:
    """A body of one or more amqp-sequence sections (lists)."""

    sections: list[list[Any]]


@dataclasses.dataclass
class AmqpValue:
    """A body of exactly one amqp-value section."""

    value: Any


Body = Data | AmqpSequence | AmqpValue


@dataclasses.dataclass
class Message:
    header: Header | None = None
    delivery_annotations: dict[Any, Any] | None = None
    message_annotations: dict[Any, Any] | None = None
    properties: Properties | None = None
    application_properties: dict[Any, Any] | None = None
    body: Body | None = None
    footer: dict[Any, Any] | None = None


def _section_code(descriptor: Any) -> int:
    if isinstance(descriptor, str):
        code = _SYMBOLIC.get(str(descriptor))
        if code is None:
            raise DecodeError(f"unknown message section {descriptor}")
        return code
    if isinstance(descriptor, int) and 0x70 <= descriptor <= 0x78:
        return int(descriptor)
    raise DecodeError(f"unknown message section {descriptor!r}")


def _as_list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DecodeError(f"{name} section must be a list")
    return value


def _as_map(value: Any, name: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DecodeError(f"{name} section must be a map")
    return value


def decode_message(payload: bytes | memoryview) -> Message:
    """Decode the sections of one message; raises DecodeError on anything malformed."""
    view = memoryview(payload)
    message = Message()
    offset = 0
    while offset < len(view):
        section, offset = decode_value(view, offset)
        if not isinstance(section, Described):
            raise DecodeError("message section is not a described value")
        code = _section_code(section.descriptor)
        value = section.value
        if code == Header.CODE:
            message.header = Header.from_list(_as_list(value, "header"))
        elif code == Properties.CODE:
            message.properties = Properties.from_list(_as_list(value, "properties"))
        elif code == _DELIVERY_ANNOTATIONS:
            message.delivery_annotations = _as_map(value, "delivery-annotations")
        elif code == _MESSAGE_ANNOTATIONS:
            message.message_annotations = _as_map(value, "message-annotations")
        elif code == _APPLICATION_PROPERTIES:
            message.application_properties = _as_map(value, "application-properties")
        elif code == _FOOTER:
            message.footer = _as_map(value, "footer")
        else:
            message.body = _add_body(message.body, code, value)
    return message


def _add_body(body: Body | None, code: int, value: Any) -> Body:
    if code == _DATA:
        if not isinstance(value, bytes):
            raise DecodeError("data section must hold binary")
        if body is None:
            return Data([value])
        if isinstance(body, Data):
            body.sections.append(value)
            return body
    elif code == _AMQP_SEQUENCE:
        if not isinstance(value, list):
            raise DecodeError("amqp-sequence section must hold a list")
        if body is None:
            return AmqpSequence([value])
        if isinstance(body, AmqpSequence):
            body.sections.append(value)
            return body
    elif body is None:
        return AmqpValue(value)
    raise DecodeError("message mixes body section types")


def encode_message(message: Message) -> bytes:
    """Encode a message's sections in the order the specification prescribes."""
    out = bytearray()
    if message.header is not None:
        encode_into(out, message.header.encode())
    for code, section in (
        (_DELIVERY_ANNOTATIONS, message.delivery_annotations),
        (_MESSAGE_ANNOTATIONS, message.message_annotations),
    ):
        if section is not None:
            encode_into(out, Described(ULong(code), section))
    if message.properties is not None:
        encode_into(out, message.properties.encode())
    if message.application_properties is not None:
        encode_into(out, Described(ULong(_APPLICATION_PROPERTIES), message.application_properties))
    body = message.body
    if isinstance(body, Data):
        for chunk in body.sections:
            encode_into(out, Described(ULong(_DATA), bytes(chunk)))
    elif isinstance(body, AmqpSequence):
        for items in body.sections:
            encode_into(out, Described(ULong(_AMQP_SEQUENCE), list(items)))
    elif isinstance(body, AmqpValue):
        encode_into(out, Described(ULong(_AMQP_VALUE), body.value))
    if message.footer is not None:
        encode_into(out, Described(ULong(_FOOTER), message.footer))
    return bytes(out)


def decode_batch(payload: bytes | memoryview) -> tuple[Message, list[Message]]:
    """Decode a batch transfer: the envelope message and the messages held in its data sections."""
    envelope = decode_message(payload)
    if not isinstance(envelope.body, Data):
        raise DecodeError("batch message needs data sections")
    return envelope, [decode_message(chunk) for chunk in envelope.body.sections]


def encode_batch(messages: list[Message], envelope: Message | None = None) -> bytes:
    """Encode messages as one batch payload (send it with message-format BATCH_MESSAGE_FORMAT)."""
    batch = dataclasses.replace(envelope) if envelope is not None else Message()
    batch.body = Data([encode_message(message) for message in messages])
    return encode_message(batch)
