"""A received message body read as the contract envelope (``id``, ``type``, ``version``, ``occurredAt``,
``correlationId``, ``data``), or refused as poison with one of three reasons.

Every consumer (the payment worker on Service Bus, the notification consumer on Event Hubs) decodes
through ``EnvelopeDecoder``, so the same body gets the same verdict everywhere, and the reasons are the
ones the order service dead-letters with (``services/order/src/payments/payment-events.ts``):

- ``MalformedBody``: not AMQP data sections, not UTF-8 text, or not JSON;
- ``SchemaViolation``: JSON, but not an envelope of its type (not an object, no ``type`` or ``version``,
  or its type's schema in ``contract-tests/messages`` broken);
- ``UnknownMessageType``: a type/version this consumer does not handle.

What a consumer does with a ``PoisonError`` is its own business: Service Bus consumers dead-letter
with ``reason`` and ``description``; Event Hubs has no dead-letter queue, so the notification consumer
records the event and moves past it. Descriptions name the offset, path and rule, never a value (a value
may be a card number).

``type`` and ``version`` are taken from the application properties when the sender set them (that is
what subscriptions filter on), else from the body; a body that disagrees with its properties breaks the
``type``/``version`` constants of its schema. The order service reads them from the body only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self

from servicekit.contracts import Contracts

# A dead-letter description is an application property: keep it well under the broker's limits.
MAX_DESCRIPTION = 1000

Body = bytes | bytearray | memoryview | str | Iterable[bytes] | None
"""A body as the SDKs hand it over: the data sections (joined or not), text, or None for a body that is
not data sections (an AMQP value or sequence, which cannot hold our JSON)."""


class PoisonReason(StrEnum):
    MALFORMED_BODY = "MalformedBody"
    SCHEMA_VIOLATION = "SchemaViolation"
    UNKNOWN_MESSAGE_TYPE = "UnknownMessageType"


class PoisonError(Exception):
    """A message no retry can make readable: settle it with ``reason`` and ``description``."""

    def __init__(self, reason: PoisonReason, description: str, *, message_id: str | None = None) -> None:
        super().__init__(f"{reason}: {description}")
        self.reason = reason
        self.description = description[:MAX_DESCRIPTION]
        self.message_id = message_id
        """The envelope's ``id`` when the body was a JSON object that had one, else None."""


@dataclass(frozen=True)
class Envelope:
    """A message that passed its schema: the envelope fields typed, ``data`` as sent (unknown fields
    included; consumers ignore what they do not read)."""

    id: str
    type: str
    version: int
    occurred_at: str
    """RFC 3339, UTC, as sent."""
    correlation_id: str
    data: dict[str, Any]

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Self:
        """From a JSON object already validated against its schema."""
        return cls(
            id=document["id"],
            type=document["type"],
            version=document["version"],
            occurred_at=document["occurredAt"],
            correlation_id=document["correlationId"],
            data=document["data"],
        )


class EnvelopeDecoder:
    """Decodes the bodies of the message types one consumer handles, each a ``(type, version)``."""

    def __init__(self, contracts: Contracts, *handled: tuple[str, int]) -> None:
        missing = [f"{name} v{version}" for name, version in handled if not contracts.knows(name, version)]
        if missing:
            raise ValueError(f"no schema for {', '.join(missing)} among the contracts")
        self._contracts = contracts
        self._handled = {(name, str(version)): version for name, version in handled}

    def decode(self, body: Body, properties: Mapping[str, Any] | None = None) -> Envelope:
        """The envelope, or ``PoisonError``; ``properties`` are the message's application
        properties (``type``, ``version``)."""
        document = _json_object(body)
        message_id = document.get("id") if isinstance(document.get("id"), str) else None
        properties = properties or {}
        message_type = properties.get("type", document.get("type"))
        version = properties.get("version", document.get("version"))
        for field, value in (("type", message_type), ("version", version)):
            if value is None:
                raise PoisonError(PoisonReason.SCHEMA_VIOLATION, f"/{field}: required", message_id=message_id)
        known = self._handled.get((str(message_type), str(version)))
        if known is None:
            raise PoisonError(
                PoisonReason.UNKNOWN_MESSAGE_TYPE,
                f"type {message_type!r} version {version!r} is not handled here",
                message_id=message_id,
            )
        violations = self._contracts.violations(document, str(message_type), known)
        if violations:
            raise PoisonError(
                PoisonReason.SCHEMA_VIOLATION, "; ".join(map(str, violations)), message_id=message_id
            )
        return Envelope.from_document(document)


def _json_object(body: Body) -> dict[str, Any]:
    if body is None:
        raise PoisonError(
            PoisonReason.MALFORMED_BODY, "the body is not AMQP data sections (expected one JSON document)"
        )
    if isinstance(body, str):
        text = body
    else:
        try:
            raw = bytes(body) if isinstance(body, bytes | bytearray | memoryview) else b"".join(body)
            text = raw.decode("utf-8")
        except TypeError:
            raise PoisonError(
                PoisonReason.MALFORMED_BODY, "the body is not AMQP data sections (expected one JSON document)"
            ) from None
        except UnicodeDecodeError as exc:
            raise PoisonError(
                PoisonReason.MALFORMED_BODY, f"the body is not UTF-8 text (offset {exc.start})"
            ) from None
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PoisonError(
            PoisonReason.MALFORMED_BODY, f"the body is not JSON: {exc.msg} at offset {exc.pos}"
        ) from None
    if not isinstance(document, dict):
        raise PoisonError(PoisonReason.SCHEMA_VIOLATION, "/: type (the envelope is a JSON object)")
    return document
