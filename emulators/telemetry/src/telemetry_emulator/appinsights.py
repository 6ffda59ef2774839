"""Application Insights ingestion (``/v2/track``, ``/v2.1/track``): the body to envelopes, and the answer.

The Azure Monitor exporters send a JSON array of envelopes (Python) or newline-delimited JSON (the .NET and
JavaScript SDKs), either gzip'd or plain; the body is recognised by its content, whatever the headers say,
as the ingestion endpoint does. An envelope needs ``name``, ``time`` and ``iKey``; one that lacks any is
refused on its own, the rest of the batch kept (206, the ``errors`` naming each refused index).
"""

from __future__ import annotations

import json
import zlib
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_GZIP_MAGIC = b"\x1f\x8b"
_REQUIRED = ("name", "time", "iKey")


class TrackBodyError(ValueError):
    """The body as a whole is not a batch of envelopes (bad gzip, not UTF-8, not JSON)."""


class TrackBodyTooLargeError(ValueError):
    """The body inflates past the limit."""


@dataclass(frozen=True, slots=True)
class ItemError:
    index: int
    message: str
    status_code: int = 400

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "statusCode": self.status_code, "message": self.message}


@dataclass(frozen=True, slots=True)
class TrackBatch:
    accepted: list[dict[str, Any]]
    received: int
    errors: list[ItemError] = field(default_factory=list)

    def response(self) -> dict[str, Any]:
        """The ingestion endpoint's answer, the shape the exporters read (TrackResponse)."""
        return {
            "itemsReceived": self.received,
            "itemsAccepted": len(self.accepted),
            "errors": [error.as_json() for error in self.errors],
        }

    @property
    def status(self) -> int:
        if not self.errors:
            return 200
        return 206 if self.accepted else 400


def body_error_response(message: str) -> dict[str, Any]:
    return {"itemsReceived": 0, "itemsAccepted": 0, "errors": [ItemError(0, message).as_json()]}


def decode_track_body(body: bytes, max_bytes: int) -> TrackBatch:
    text = _text(_inflate(body, max_bytes) if body.startswith(_GZIP_MAGIC) else body)
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise TrackBodyError(f"body is not a valid JSON array of envelopes: {error}") from None
        return _batch(list(enumerate(items)))
    lines = [line for line in stripped.splitlines() if line.strip()]
    parsed: list[tuple[int, Any]] = []
    errors: list[ItemError] = []
    for index, line in enumerate(lines):
        try:
            parsed.append((index, json.loads(line)))
        except json.JSONDecodeError as error:
            errors.append(ItemError(index, f"line {index + 1} is not valid JSON: {error}"))
    batch = _batch(parsed)
    return TrackBatch(batch.accepted, len(lines), sorted([*errors, *batch.errors], key=lambda e: e.index))


def _inflate(body: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        inflated = inflater.decompress(body, max_bytes)
    except zlib.error as error:
        raise TrackBodyError(f"body starts as gzip but does not inflate: {error}") from None
    if inflater.unconsumed_tail:
        raise TrackBodyTooLargeError(f"body inflates to more than {max_bytes} bytes")
    if not inflater.eof:
        raise TrackBodyError("body starts as gzip but does not inflate: the stream is cut short")
    return inflated


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TrackBodyError(f"body is not UTF-8: {error}") from None


def _batch(items: list[tuple[int, Any]]) -> TrackBatch:
    accepted: list[dict[str, Any]] = []
    errors: list[ItemError] = []
    for index, item in items:
        problem = _problem(item)
        if problem is None:
            accepted.append(item)
        else:
            errors.append(ItemError(index, problem))
    return TrackBatch(accepted, len(items), errors)


def _problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return f"item is not an envelope object but {type(item).__name__}"
    for name in _REQUIRED:
        if not isinstance(item.get(name), str) or not item[name]:
            return f"Field '{name}' on type 'Envelope' is required but missing or empty"
    return None


@dataclass(frozen=True, slots=True)
class Received:
    received_at: datetime
    envelope: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"receivedAt": self.received_at.isoformat(), "envelope": self.envelope}

    def operation_id(self) -> str | None:
        tags = self.envelope.get("tags")
        return tags.get("ai.operation.id") if isinstance(tags, dict) else None


class EnvelopeStore:
    """The last ``capacity`` envelopes, newest first."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._items: deque[Received] = deque(maxlen=capacity)

    def add(self, envelopes: list[dict[str, Any]]) -> None:
        now = datetime.now(UTC)
        self._items.extendleft(Received(now, envelope) for envelope in envelopes)

    def list(
        self, name: str | None = None, operation_id: str | None = None, limit: int = 100
    ) -> list[Received]:
        found = [
            item
            for item in self._items
            if (name is None or item.envelope.get("name") == name)
            and (operation_id is None or item.operation_id() == operation_id)
        ]
        return found[:limit]

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> int:
        removed = len(self._items)
        self._items.clear()
        return removed
