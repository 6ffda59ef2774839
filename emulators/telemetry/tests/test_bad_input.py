"""What a broken or hostile exporter gets: 400 with a google.rpc.Status naming the problem, 415, 413 over
the size limit; and the connection and the server keep serving."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from google.rpc import status_pb2  # type: ignore[import-untyped]
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

if TYPE_CHECKING:
    from conftest import RunningReceiver

PROTOBUF = {"Content-Type": "application/x-protobuf"}
# Field 1 (resource_spans) with a length far beyond the body: no protobuf parser accepts it.
GARBAGE = b"\x0a\xff\xff\xff\x0f truncated"


def http_request(body: bytes, content_type: str = "application/x-protobuf") -> bytes:
    head = (
        f"POST /v1/traces HTTP/1.1\r\nHost: receiver\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def read_response(connection: socket.socket) -> tuple[int, bytes]:
    """Status code and body of one HTTP/1.1 response with a Content-Length."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    length = next(int(line.split(":")[1]) for line in lines if line.lower().startswith("content-length"))
    while len(body) < length:
        body += connection.recv(65536)
    return int(lines[0].split()[1]), body


def test_a_garbage_body_is_400_with_a_status_naming_the_problem_and_the_connection_serves_on(
    receiver: RunningReceiver,
) -> None:
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=10) as connection:
        connection.sendall(http_request(GARBAGE))
        refused_status, refused_body = read_response(connection)
        connection.sendall(http_request(b""))  # an empty export request is a valid one
        accepted_status, accepted_body = read_response(connection)

    assert refused_status == 400
    status = status_pb2.Status.FromString(refused_body)
    assert status.code == 3  # INVALID_ARGUMENT
    assert "not a protobuf ExportTraceServiceRequest" in status.message
    assert accepted_status == 200
    assert ExportTraceServiceResponse.FromString(accepted_body) == ExportTraceServiceResponse()


def test_another_content_type_is_415_naming_the_accepted_ones(receiver: RunningReceiver) -> None:
    response = receiver.http.post("/v1/traces", content=b"<spans/>", headers={"Content-Type": "text/xml"})

    assert response.status_code == 415
    status = status_pb2.Status.FromString(response.content)
    assert "application/x-protobuf" in status.message
    assert "'text/xml'" in status.message


def test_a_body_over_the_limit_is_413_and_the_server_serves_on(receiver: RunningReceiver) -> None:
    oversized = b"\x00" * (4 * 1024**2 + 1)

    response = receiver.http.post("/v1/traces", content=oversized, headers=PROTOBUF)

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/x-protobuf")
    assert "exceeded" in status_pb2.Status.FromString(response.content).message
    assert receiver.http.get("/health").json() == {"status": "healthy"}


def test_refusals_are_counted_by_content_type_and_outcome(receiver: RunningReceiver) -> None:
    receiver.http.post("/v1/traces", content=GARBAGE, headers=PROTOBUF)
    receiver.http.post("/v1/traces", content=b"x", headers={"Content-Type": "text/plain"})

    metrics = receiver.http.get("/metrics").text

    assert (
        'telemetry_export_requests_total{content_type="protobuf",endpoint="otlp",outcome="bad_request"}'
        in metrics
    )
    assert (
        'telemetry_export_requests_total{content_type="other",endpoint="otlp",outcome="unsupported_media_type"}'
        in metrics
    )
