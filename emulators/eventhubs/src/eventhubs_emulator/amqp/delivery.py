"""The bytes of one delivery: a stored event with the hub's annotations added, its other sections as sent.

A stored event is the message its sender wrote, already decoded once when it was sent (malformed ones are
refused then). Delivering it changes only the message annotations (and, for runtime metrics, the delivery
annotations), so the sections are found by their size fields and copied as they are, and only the
message-annotations map is decoded and written again: decoding the whole message and encoding it back
cost a tenth of the emulator's CPU per event (``amqp_core.sections``). A message whose sections are out of
the specification's order goes the long way, decoded and encoded whole.
"""

from __future__ import annotations

from typing import Any

from amqp_core.codec import DecodeError, encode
from amqp_core.message import decode_message, encode_message
from amqp_core.sections import DELIVERY_ANNOTATIONS, MESSAGE_ANNOTATIONS, annotated
from amqp_core.types import Described, ULong


def delivery_payload(
    payload: bytes, annotations: dict[Any, Any], delivery_annotations: dict[Any, Any] | None
) -> bytes:
    """``payload`` with ``annotations`` merged into its message annotations (ours win) and, when given,
    ``delivery_annotations`` in place of its own; every other section byte for byte as it was sent."""
    try:
        split = annotated(payload)
    except DecodeError:
        split = None
    if split is None:
        return _reencoded(payload, annotations, delivery_annotations)
    own_delivery_annotations = (
        split.delivery_annotations
        if delivery_annotations is None
        else encode(Described(ULong(DELIVERY_ANNOTATIONS), delivery_annotations))
    )
    merged = {**split.message_annotations, **annotations}
    return b"".join(
        (
            split.header,
            own_delivery_annotations,
            encode(Described(ULong(MESSAGE_ANNOTATIONS), merged)),
            split.bare,
        )
    )


def _reencoded(
    payload: bytes, annotations: dict[Any, Any], delivery_annotations: dict[Any, Any] | None
) -> bytes:
    message = decode_message(payload)
    message.message_annotations = {**(message.message_annotations or {}), **annotations}
    if delivery_annotations is not None:
        message.delivery_annotations = delivery_annotations
    return encode_message(message)
