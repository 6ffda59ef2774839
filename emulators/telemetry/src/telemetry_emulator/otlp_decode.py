"""OTLP trace export requests, protobuf or JSON, to `Span` records: pure functions over the request body.

Both encodings go through the one generated message, ``ExportTraceServiceRequest`` of opentelemetry-proto.
OTLP's JSON differs from protobuf's canonical JSON mapping in one way that matters here: trace and span ids
are hex strings, not base64, so they are rewritten before `json_format` reads the document. Unknown fields
are ignored, as the OTLP specification asks of a receiver.

A span whose trace or span id is not of the right length (or all zero) is rejected, not stored; the
caller reports it in the response's ``partial_success``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1 import trace_pb2

from telemetry_emulator.model import AttributeValue, Span, SpanEvent, SpanKind, SpanLink, StatusCode

UNKNOWN_SERVICE = "unknown_service"
_TRACE_ID_BYTES = 16
_SPAN_ID_BYTES = 8
_KINDS = {
    trace_pb2.Span.SPAN_KIND_UNSPECIFIED: SpanKind.UNSPECIFIED,
    trace_pb2.Span.SPAN_KIND_INTERNAL: SpanKind.INTERNAL,
    trace_pb2.Span.SPAN_KIND_SERVER: SpanKind.SERVER,
    trace_pb2.Span.SPAN_KIND_CLIENT: SpanKind.CLIENT,
    trace_pb2.Span.SPAN_KIND_PRODUCER: SpanKind.PRODUCER,
    trace_pb2.Span.SPAN_KIND_CONSUMER: SpanKind.CONSUMER,
}
_STATUSES = {
    trace_pb2.Status.STATUS_CODE_UNSET: StatusCode.UNSET,
    trace_pb2.Status.STATUS_CODE_OK: StatusCode.OK,
    trace_pb2.Status.STATUS_CODE_ERROR: StatusCode.ERROR,
}


class OtlpDecodeError(ValueError):
    """The body is not an export request in the encoding it claims; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class DecodedExport:
    spans: list[Span]
    rejected: int


def decode_protobuf(body: bytes) -> DecodedExport:
    try:
        request = ExportTraceServiceRequest.FromString(body)
    except DecodeError as error:
        raise OtlpDecodeError(f"body is not a protobuf ExportTraceServiceRequest: {error}") from None
    return _spans_of(request)


def decode_json(body: bytes) -> DecodedExport:
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise OtlpDecodeError(f"body is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise OtlpDecodeError("body must be a JSON object (an ExportTraceServiceRequest)")
    _hex_ids_to_base64(document)
    request = ExportTraceServiceRequest()
    try:
        json_format.ParseDict(document, request, ignore_unknown_fields=True)
    except json_format.ParseError as error:
        raise OtlpDecodeError(f"body is not an OTLP JSON ExportTraceServiceRequest: {error}") from None
    return _spans_of(request)


def _hex_ids_to_base64(document: dict[str, Any]) -> None:
    """OTLP JSON's hex ids, in place, as the base64 that protobuf's JSON mapping reads for bytes fields."""
    for path, holder, key in _id_fields(document):
        value = holder[key]
        if not isinstance(value, str):
            raise OtlpDecodeError(f"{path}: expected a hex string, got {type(value).__name__}")
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raise OtlpDecodeError(f"{path}: {value[:40]!r} is not a hex string") from None
        holder[key] = base64.b64encode(raw).decode()


def _id_fields(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(path, object, key) of every trace, span and parent span id in the document, links included."""
    for r, resource_spans in _objects(document.get("resourceSpans")):
        for s, scope_spans in _objects(resource_spans.get("scopeSpans")):
            for n, span in _objects(scope_spans.get("spans")):
                path = f"resourceSpans[{r}].scopeSpans[{s}].spans[{n}]"
                for key in ("traceId", "spanId", "parentSpanId"):
                    if span.get(key) is not None:
                        yield f"{path}.{key}", span, key
                for k, link in _objects(span.get("links")):
                    for key in ("traceId", "spanId"):
                        if link.get(key) is not None:
                            yield f"{path}.links[{k}].{key}", link, key


def _objects(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """The objects of a JSON array (anything else is left for json_format to refuse with its path)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _spans_of(request: ExportTraceServiceRequest) -> DecodedExport:
    spans: list[Span] = []
    rejected = 0
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        service = str(resource.get("service.name") or UNKNOWN_SERVICE)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                if not (
                    _valid_id(span.trace_id, _TRACE_ID_BYTES) and _valid_id(span.span_id, _SPAN_ID_BYTES)
                ):
                    rejected += 1
                    continue
                spans.append(_span(span, service, resource, scope_spans.scope.name))
    return DecodedExport(spans, rejected)


def _valid_id(raw: bytes, length: int) -> bool:
    return len(raw) == length and any(raw)


def _span(span: trace_pb2.Span, service: str, resource: dict[str, AttributeValue], scope: str) -> Span:
    return Span(
        trace_id=span.trace_id.hex(),
        span_id=span.span_id.hex(),
        parent_span_id=span.parent_span_id.hex() if any(span.parent_span_id) else "",
        name=span.name,
        kind=_KINDS.get(span.kind, SpanKind.UNSPECIFIED),
        service=service,
        start_unix_nano=span.start_time_unix_nano,
        end_unix_nano=span.end_time_unix_nano,
        status_code=_STATUSES.get(span.status.code, StatusCode.UNSET),
        status_message=span.status.message,
        attributes=_attributes(span.attributes),
        resource=resource,
        scope=scope,
        links=tuple(
            SpanLink(link.trace_id.hex(), link.span_id.hex(), _attributes(link.attributes))
            for link in span.links
        ),
        events=tuple(
            SpanEvent(event.name, event.time_unix_nano, _attributes(event.attributes))
            for event in span.events
        ),
    )


def _attributes(pairs: Any) -> dict[str, AttributeValue]:
    key_values: list[KeyValue] = list(pairs)
    return {pair.key: _value(pair.value) for pair in key_values}


def _value(value: AnyValue) -> AttributeValue:
    which = value.WhichOneof("value")
    if which == "string_value":
        return value.string_value
    if which == "bool_value":
        return value.bool_value
    if which == "int_value":
        return value.int_value
    if which == "double_value":
        return value.double_value
    if which == "bytes_value":
        return value.bytes_value
    if which == "array_value":
        return [_value(item) for item in value.array_value.values]
    if which == "kvlist_value":
        return _attributes(value.kvlist_value.values)
    return None


def bad_id_note(rejected: int) -> str:
    """The partial-success message for ``rejected`` spans."""
    return f"{rejected} span(s) rejected: trace id must be 16 bytes and span id 8 bytes, not all zero"


__all__ = [
    "DecodedExport",
    "OtlpDecodeError",
    "bad_id_note",
    "decode_json",
    "decode_protobuf",
]
