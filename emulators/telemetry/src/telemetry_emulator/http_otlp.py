"""``POST /v1/traces``, OTLP/HTTP as the specification has it.

The response uses the request's encoding (``application/x-protobuf`` or ``application/json``): 200 with an
``ExportTraceServiceResponse`` (its ``partial_success`` counting spans refused for a bad id), 400 with a
``google.rpc.Status`` naming what does not decode, 415 for another content type (a protobuf Status, as the
encoding is unknown). `otlp_edge` gives the refusals of the shared guard (401, 403, 413) the same Status
form, and counts every export request by endpoint, content type and outcome.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web
from google.protobuf import json_format
from google.protobuf.message import Message

# googleapis-common-protos ships .pyi stubs but no py.typed marker.
from google.rpc import code_pb2, status_pb2  # type: ignore[import-untyped]
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from telemetry_emulator.otlp_decode import (
    DecodedExport,
    OtlpDecodeError,
    bad_id_note,
    decode_json,
    decode_protobuf,
)
from telemetry_emulator.state import STATE_KEY

log = logging.getLogger(__name__)

TRACES_PATH = "/v1/traces"
TRACK_PATHS = frozenset({"/v2/track", "/v2.1/track"})
PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_PROBLEM_JSON = "application/problem+json"
# gRPC codes for the HTTP statuses a receiver answers with (the Status message carries one).
_CODES = {
    400: code_pb2.INVALID_ARGUMENT,
    401: code_pb2.UNAUTHENTICATED,
    403: code_pb2.PERMISSION_DENIED,
    408: code_pb2.DEADLINE_EXCEEDED,
    413: code_pb2.RESOURCE_EXHAUSTED,
    415: code_pb2.INVALID_ARGUMENT,
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_SLASHES = re.compile("/{2,}")


def canonical_path(request: web.Request) -> str:
    """The path with runs of slashes as one: the Azure Monitor exporter joins an ``IngestionEndpoint``
    ending in ``/`` with ``/v2.1/track`` into ``//v2.1/track``, which the real endpoint accepts."""
    return _SLASHES.sub("/", request.path)


def content_type_label(request: web.Request) -> str:
    return {PROTOBUF: "protobuf", JSON: "json"}.get(request.content_type, "other")


def _encoded(message: Message, request: web.Request, status: int = 200) -> web.Response:
    if request.content_type == JSON:
        return web.Response(
            status=status, text=json_format.MessageToJson(message, indent=None), content_type=JSON
        )
    return web.Response(status=status, body=message.SerializeToString(), content_type=PROTOBUF)


def status_response(request: web.Request, status: int, message: str) -> web.Response:
    """A ``google.rpc.Status`` answer in the request's encoding (protobuf unless it sent JSON)."""
    code = _CODES.get(status, code_pb2.INTERNAL)
    return _encoded(status_pb2.Status(code=code, message=message), request, status)


async def receive_traces(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    decoders = {PROTOBUF: decode_protobuf, JSON: decode_json}
    decode = decoders.get(request.content_type)
    if decode is None:
        return status_response(
            request, 415, f"content type {request.content_type!r} is not {PROTOBUF} or {JSON}"
        )
    body = await request.read()
    try:
        decoded: DecodedExport = decode(body)
    except OtlpDecodeError as error:
        log.warning("export refused", extra={"reason": str(error)[:200], "bytes": len(body)})
        return status_response(request, 400, str(error))
    state.traces.add(decoded.spans)
    state.metrics.spans_received += len(decoded.spans)
    response = ExportTraceServiceResponse()
    if decoded.rejected:
        state.metrics.spans_rejected += decoded.rejected
        response.partial_success.rejected_spans = decoded.rejected
        response.partial_success.error_message = bad_id_note(decoded.rejected)
    return _encoded(response, request)


@web.middleware
async def otlp_edge(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Counts export requests (OTLP and Application Insights); OTLP refusals made by the guard middlewares
    as problem+json leave as a Status instead."""
    path = canonical_path(request)
    endpoint = "otlp" if path == TRACES_PATH else "appinsights" if path in TRACK_PATHS else None
    response = await handler(request)
    if endpoint is None or request.method != "POST":
        return response
    request.app[STATE_KEY].metrics.count_request(endpoint, content_type_label(request), response.status)
    if (
        endpoint == "otlp"
        and isinstance(response, web.Response)
        and not response.prepared
        and response.content_type == _PROBLEM_JSON
    ):
        detail = _problem_detail(response)
        converted = status_response(request, response.status, detail)
        if response.headers.get("Connection", "").lower() == "close" or not response.keep_alive:
            converted.force_close()
        return converted
    return response


def _problem_detail(response: web.Response) -> str:
    try:
        document = json.loads(response.text or "{}")
    except json.JSONDecodeError:
        return response.reason
    return str(document.get("detail") or document.get("title") or response.reason)
