"""Fixtures: a JWKS endpoint on a loopback port standing in for Entra ID (which cannot run here); tracing
configured once for this process, exporting to the SDK's in-memory exporter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from servicekit.auth import EntraTokenVerifier
from servicekit.tracing import configure_tracing
from servicekit.tracing_settings import TracingSettings
from servicekit_testing import JwksStandIn, jwks_stand_in

TENANT = "11111111-2222-3333-4444-555555555555"
AUDIENCE = "api://contoso-shop-test"
ADMIN_ROLE = "Shop.Admin"
# Whatever the environment says: spans go to the in-memory exporter only.
NO_EXPORT = TracingSettings(
    otel_exporter_otlp_endpoint=None,
    otel_exporter_otlp_traces_endpoint=None,
    otel_traces_sampler=None,
    otel_traces_sampler_arg=None,
    applicationinsights_connection_string=None,
)
_exporter = InMemorySpanExporter()


@pytest.fixture
def jwks() -> Iterator[JwksStandIn]:
    with jwks_stand_in(TENANT, AUDIENCE, [ADMIN_ROLE]) as server:
        yield server


@pytest.fixture
async def entra(jwks: JwksStandIn) -> AsyncIterator[EntraTokenVerifier]:
    verifier = EntraTokenVerifier(TENANT, AUDIENCE, jwks.url)
    yield verifier
    await verifier.close()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The spans finished during the test (tracing is configured on first use, once per process)."""
    configure_tracing(
        "test-service",
        environment="test",
        settings=NO_EXPORT,
        span_processors=[SimpleSpanProcessor(_exporter)],
    )
    _exporter.clear()
    yield _exporter
    _exporter.clear()
