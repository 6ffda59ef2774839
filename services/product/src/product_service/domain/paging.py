"""Opaque list cursors: the store's continuation token, bound to the filter it belongs to.

The token is wrapped rather than handed out as is so that callers cannot tell (or come to depend on) what
the store uses, and so that a cursor replayed with different filters is refused instead of silently
resuming some other query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from product_service.domain.errors import InvalidCursorError

_VERSION = 1
# What encode_cursor makes (unpadded base64url): a cursor of any other character was never issued.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"


def _digest(fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:16]


def encode_cursor(continuation: str, fingerprint: str) -> str:
    raw = json.dumps({"v": _VERSION, "f": _digest(fingerprint), "c": continuation}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> str:
    """Returns the continuation token; raises InvalidCursorError for anything not made by encode_cursor
    with the same filter."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursorError("cursor is not one this service issued") from exc
    if not isinstance(body, dict) or body.get("v") != _VERSION or not isinstance(body.get("c"), str):
        raise InvalidCursorError("cursor is not one this service issued")
    if body.get("f") != _digest(fingerprint):
        raise InvalidCursorError("cursor belongs to a different set of filters")
    continuation: str = body["c"]
    return continuation
