"""What the receiver holds: spans as decoded from OTLP, independent of the wire encoding they came in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

# Attribute values as OTLP carries them: scalars, lists of them, nested maps; bytes are shown as hex.
AttributeValue = str | bool | int | float | bytes | list[Any] | dict[str, Any] | None


class SpanKind(StrEnum):
    """OTLP's Span.SpanKind, by the names the OpenTelemetry API uses."""

    UNSPECIFIED = "UNSPECIFIED"
    INTERNAL = "INTERNAL"
    SERVER = "SERVER"
    CLIENT = "CLIENT"
    PRODUCER = "PRODUCER"
    CONSUMER = "CONSUMER"


class StatusCode(StrEnum):
    UNSET = "UNSET"
    OK = "OK"
    ERROR = "ERROR"


@dataclass(frozen=True, slots=True)
class SpanLink:
    trace_id: str
    span_id: str
    attributes: dict[str, AttributeValue] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"traceId": self.trace_id, "spanId": self.span_id, "attributes": _jsonable(self.attributes)}


@dataclass(frozen=True, slots=True)
class SpanEvent:
    name: str
    time_unix_nano: int
    attributes: dict[str, AttributeValue] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "time": iso_time(self.time_unix_nano),
            "attributes": _jsonable(self.attributes),
        }


@dataclass(frozen=True, slots=True)
class Span:
    """One span with what it needs from its resource and scope: ids are lower-case hex, times Unix ns."""

    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: SpanKind
    service: str
    start_unix_nano: int
    end_unix_nano: int
    status_code: StatusCode = StatusCode.UNSET
    status_message: str = ""
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    resource: dict[str, AttributeValue] = field(default_factory=dict)
    scope: str = ""
    links: tuple[SpanLink, ...] = ()
    events: tuple[SpanEvent, ...] = ()

    @property
    def duration_ms(self) -> float:
        return max(self.end_unix_nano - self.start_unix_nano, 0) / 1e6

    def as_json(self) -> dict[str, Any]:
        return {
            "traceId": self.trace_id,
            "spanId": self.span_id,
            "parentSpanId": self.parent_span_id or None,
            "name": self.name,
            "kind": self.kind.value,
            "service": self.service,
            "startTime": iso_time(self.start_unix_nano),
            "endTime": iso_time(self.end_unix_nano),
            "startTimeUnixNano": self.start_unix_nano,
            "endTimeUnixNano": self.end_unix_nano,
            "durationMs": round(self.duration_ms, 3),
            "status": {"code": self.status_code.value, "message": self.status_message},
            "attributes": _jsonable(self.attributes),
            "resource": _jsonable(self.resource),
            "scope": self.scope,
            "links": [link.as_json() for link in self.links],
            "events": [event.as_json() for event in self.events],
        }


def iso_time(unix_nano: int) -> str:
    """RFC 3339 UTC to the microsecond (a datetime holds no more; *UnixNano fields keep the rest)."""
    moment = datetime.fromtimestamp(unix_nano / 1e9, UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _jsonable(attributes: dict[str, AttributeValue]) -> dict[str, Any]:
    return {key: _jsonable_value(value) for key, value in attributes.items()}


def _jsonable_value(value: AttributeValue) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list):
        return [_jsonable_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable_value(item) for key, item in value.items()}
    return value
