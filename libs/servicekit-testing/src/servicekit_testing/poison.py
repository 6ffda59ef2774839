"""One table of poison messages for every consumer's tests, so that each consumer is shown to give the
same body the same verdict (``servicekit.envelopes``).

The reasons are spelled out rather than imported: they are what operators see on dead-lettered messages
and in the notification log, so a rename has to show up as a test change.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PoisonCase:
    name: str
    body: bytes | None
    """None: a body that is not AMQP data sections."""
    properties: dict[str, str]
    """As the adapters hand them over: text."""
    reason: str
    description: str
    """A part of the expected description."""

    def __str__(self) -> str:
        return self.name


def poison_cases(valid: dict[str, Any]) -> list[PoisonCase]:
    """Poison variants of ``valid``, a valid envelope of the type the consumer under test handles."""

    def variant(**changes: Any) -> dict[str, Any]:
        envelope = copy.deepcopy(valid)
        envelope.update(changes)
        return {key: value for key, value in envelope.items() if value is not None}

    def encoded(envelope: dict[str, Any]) -> bytes:
        return json.dumps(envelope).encode()

    own = {"type": str(valid["type"]), "version": str(valid["version"])}
    untyped = variant(type=None)
    return [
        PoisonCase("not-data-sections", None, own, "MalformedBody", "not AMQP data sections"),
        PoisonCase("not-utf8", b'{"id": "\xff"}', own, "MalformedBody", "not UTF-8 text (offset 8)"),
        PoisonCase("not-json", b"{not json", own, "MalformedBody", "not JSON: Expecting property name"),
        PoisonCase("not-an-object", b"[1, 2]", own, "SchemaViolation", "/: type"),
        PoisonCase("no-type-anywhere", encoded(untyped), {}, "SchemaViolation", "/type: required"),
        PoisonCase(
            "unknown-type-property",
            encoded(valid),
            {**own, "type": "RefundRequested"},
            "UnknownMessageType",
            "type 'RefundRequested' version '1' is not handled here",
        ),
        PoisonCase(
            "unknown-version",
            encoded(variant(version=2)),
            {**own, "version": "2"},
            "UnknownMessageType",
            "version '2' is not handled here",
        ),
        PoisonCase(
            "type-body-disagrees",
            encoded(variant(type="RefundRequested")),
            own,
            "SchemaViolation",
            "/type: const",
        ),
        PoisonCase(
            "envelope-broken", encoded(variant(id="not-a-uuid")), own, "SchemaViolation", "/id: format"
        ),
        PoisonCase("data-broken", encoded(variant(data=[])), own, "SchemaViolation", "/data: type"),
    ]
