"""OpenTelemetry for the Python services (the ``tracing`` extra): one trace from an HTTP request through
every message it causes, order -> payment -> order -> notification.

Call ``configure_tracing`` once per process before building apps and SDK clients, ``instrument_fastapi`` /
``instrument_flask`` on the app, ``consumer_span`` around each received message, ``current_traceparent``
for the ``traceparent`` application property of each message sent, and ``shutdown_tracing`` on the way
out (it flushes queued spans).

Where spans go (``TracingSettings``): OTLP/HTTP protobuf when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
``..._TRACES_ENDPOINT``) is set - locally the ``telemetry`` component; Application Insights through the
Azure Monitor distro when ``APPLICATIONINSIGHTS_CONNECTION_STRING`` is set (plus OTLP if both are). With
neither, nothing is recorded (in effect the sampler is off), yet the trace context still flows: each request
and each message gets a non-recording span with real ids from ``servicekit.trace_context``, continuing the
caller's trace, so log lines keep their ``trace_id`` / ``span_id`` and outgoing messages a ``traceparent``.
That path is kept cheap, since the load goals are measured on it: no tracer provider is set at all, so the
OpenTelemetry instrumentations, FastAPI's own telemetry (FastAPI 0.165, here, traces requests and its
operations whenever a provider is set) and azure-core's plugin do no work; spans started through the
OpenTelemetry API are no-ops that leave the edge's span current; ``instrument_http_clients`` instruments
nothing (its wrappers would run on every Azure SDK call for a header nobody records).

The logs: ``servicekit.logs`` knows nothing of OpenTelemetry (the emulators log without this extra); the
edges here set ``servicekit.logs.traceparent_var`` to the current span's traceparent: the server-request
hooks of ``instrument_fastapi`` / ``instrument_flask`` and ``consumer_span``.

With an exporter, Azure SDK calls (Cosmos, Tables, Blob, Service Bus, Event Hubs) become child spans through
azure-core's OpenTelemetry plugin, switched on here (``azure.core.settings.tracing_implementation``). What
that plugin makes the messaging SDKs do to a message being sent (read in azure-servicebus 7.15
``_common/tracing.py`` and azure-eventhub 5.15 ``_tracing.py``, both ``trace_message``, and checked against
the SDKs here): they open a PRODUCER "message" span (when the current span is not recording, the current
span's context is used as is) and write its context with
``application_properties.setdefault(b"Diagnostic-Id", ...)`` and ``setdefault(b"traceparent", ...)`` - with
*bytes* keys. A ``str`` key ``"traceparent"`` set by the application is therefore not seen: the message
leaves with the key twice on the wire (both encode as the AMQP string ``traceparent``), and a Python
receiver decoding the map keeps the SDK's, the last one. Without the plugin the SDKs add nothing.

So a sender sets the two properties under bytes keys - ``message_trace_properties()`` gives exactly
that - and the SDK's ``setdefault`` leaves them alone: our explicit traceparent wins, and there is one
``traceparent`` on the wire. Either way the trace continues (the SDK's span is a child of ours); the
explicit one keeps the parent the span that did the work.

Trace flags: this SDK version sets the W3C level 2 "random" bit on the traces it starts, so a traceparent
of ours may end in ``-00`` to ``-03``; test the sampled bit (``flags & 1``), never compare to ``01``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanContext, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from servicekit import trace_context
from servicekit.logs import QUIET_ROUTES, child_traceparent, traceparent_var
from servicekit.tracing_settings import TracingSettings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from flask import Flask
    from starlette.types import ASGIApp

SERVICE_NAMESPACE = "contoso-shop"
# The application property names the Azure messaging SDKs' tracing writes with setdefault; bytes, as theirs.
TRACEPARENT_PROPERTY = b"traceparent"
DIAGNOSTIC_ID_PROPERTY = b"Diagnostic-Id"
# The instrumentations the Azure Monitor distro would switch on by itself; we instrument explicitly
# (instrument_fastapi / instrument_flask / instrument_http_clients) so both export paths make the same spans.
_DISTRO_AUTO_INSTRUMENTATIONS = (
    "django",
    "fastapi",
    "flask",
    "httpx",
    "psycopg2",
    "requests",
    "urllib",
    "urllib3",
)
# Probes and scrapers call these every few seconds (servicekit.logs.QUIET_ROUTES); traced, they would bury
# the traces of real work. Regexes searched in the full URL (``http://host:port/path?query``).
QUIET_URLS = ",".join(rf"^https?://[^/]+{route}(\?|$)" for route in sorted(QUIET_ROUTES))
# The ASGI instrumentation's per-message sub-spans (http receive / http send) double the span count for
# no insight.
_EXCLUDED_ASGI_SPANS = ["receive", "send"]

_log = logging.getLogger(__name__)
_propagator = TraceContextTextMapPropagator()


@dataclass
class _State:
    configured: bool = False
    # Set only when something exports; kept after shutdown_tracing, so the process stays on one path.
    provider: TracerProvider | None = None
    shut_down: bool = False
    http_clients_instrumented: bool = False


_state = _State()


def configure_tracing(
    service: str,
    *,
    environment: str,
    settings: TracingSettings | None = None,
    span_processors: Sequence[SpanProcessor] = (),
) -> None:
    """Sets up tracing for the process, once (later calls do nothing): with an exporter, the SDK tracer
    provider and the Azure SDK plugin; without one, nothing global at all (no provider, so neither the
    OpenTelemetry instrumentations nor FastAPI's own telemetry do any work), and the edges of this module
    carry the trace context on their own. ``service`` is the component's name in harness/platform.yaml;
    ``environment`` the deployment's (``development``, ``production``...). ``settings`` defaults to the
    environment's; ``span_processors`` are added to the provider and count as an exporter (a test's
    in-memory sink)."""
    if _state.configured:
        return
    _state.configured = True
    settings = settings if settings is not None else TracingSettings()
    processors = list(span_processors)
    endpoint = settings.otlp_traces_endpoint
    if endpoint is not None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processors.append(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    if not processors and settings.applicationinsights_connection_string is None:
        _log.debug("tracing: no exporter, trace context only")
        return
    resource = Resource.create(
        {
            "service.name": service,
            "service.namespace": SERVICE_NAMESPACE,
            "deployment.environment.name": environment,
        }
    )
    if settings.applicationinsights_connection_string is not None:
        connection_string = settings.applicationinsights_connection_string.get_secret_value()
        _configure_azure_monitor(connection_string, settings, resource, processors)
        provider = trace.get_tracer_provider()
        if not isinstance(provider, TracerProvider):
            raise RuntimeError("the Azure Monitor distro did not install an SDK tracer provider")
    else:
        provider = TracerProvider(resource=resource, sampler=settings.sampler())
        for processor in processors:
            provider.add_span_processor(processor)
        trace.set_tracer_provider(provider)
    _enable_azure_sdk_spans()
    _state.provider = provider
    _log.debug("tracing configured", extra={"otlp_endpoint": endpoint})


def _configure_azure_monitor(
    connection_string: str, settings: TracingSettings, resource: Resource, processors: list[SpanProcessor]
) -> None:
    from azure.monitor.opentelemetry import configure_azure_monitor

    options: dict[str, Any] = {
        "connection_string": connection_string,
        "resource": resource,
        "span_processors": processors,
        "enable_live_metrics": False,
        # Logs stay JSON on stdout (Container Insights collects them) and metrics stay Prometheus; the
        # distro exports traces only.
        "disable_logging": True,
        "disable_metrics": True,
        "instrumentation_options": {name: {"enabled": False} for name in _DISTRO_AUTO_INSTRUMENTATIONS},
    }
    if settings.otel_traces_sampler is None:
        # The distro's own default is a rate limit of 5 traces/s; ours is parentbased_always_on everywhere.
        options["sampler_type"] = "parentbased_always_on"
        options["sampling_arg"] = 1.0
    entra, client_id = settings.entra_ingestion
    if entra:
        options["credential"] = _entra_credential(client_id)
    configure_azure_monitor(**options)


def _entra_credential(client_id: str | None) -> Any:
    """The workload's managed identity (workload identity on AKS): a component with local authentication
    disabled takes only Entra-signed ingestion, by an identity holding Monitoring Metrics Publisher."""
    from azure.identity import DefaultAzureCredential

    if client_id is None:
        return DefaultAzureCredential()
    return DefaultAzureCredential(managed_identity_client_id=client_id, workload_identity_client_id=client_id)


def _enable_azure_sdk_spans() -> None:
    from azure.core.settings import settings as azure_settings
    from azure.core.tracing.ext.opentelemetry_span import OpenTelemetrySpan

    azure_settings.tracing_implementation = OpenTelemetrySpan


def shutdown_tracing() -> None:
    """Flushes queued spans and stops exporting; call on the way out (after the last request or message).
    Safe to call when tracing was never configured, and more than once."""
    provider = _state.provider
    if provider is None or _state.shut_down:
        return
    _state.shut_down = True
    provider.shutdown()


def tracing_exports() -> bool:
    """Whether configure_tracing set up an exporter (spans are recorded), rather than the trace context
    only."""
    return _state.provider is not None


def format_traceparent(context: SpanContext) -> str:
    """The W3C ``traceparent`` header of a span context."""
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def current_traceparent() -> str:
    """The traceparent of the current span, for an outgoing message's ``traceparent`` property. Without a
    valid current span (tracing not configured), the one an edge set in ``traceparent_var``, else a new
    trace."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        return format_traceparent(context)
    return traceparent_var.get() or child_traceparent(None)


def message_trace_properties() -> dict[bytes, str]:
    """The trace context for an outgoing Service Bus / Event Hubs message's application properties:
    ``traceparent`` and ``Diagnostic-Id`` (the same value, the current span's), under the bytes keys the
    SDKs' tracing checks, so that it keeps them (see the module docstring). Merge it into the message's
    ``application_properties`` instead of a ``str`` ``"traceparent"`` key."""
    traceparent = current_traceparent()
    return {TRACEPARENT_PROPERTY: traceparent, DIAGNOSTIC_ID_PROPERTY: traceparent}


def received_traceparent(properties: Mapping[Any, Any] | None) -> str | None:
    """The ``traceparent`` application property of a received Service Bus message or Event Hubs event
    (the SDKs give its keys, and often its values, as bytes), for ``consumer_span``; None without one."""
    if not properties:
        return None
    value = properties.get(TRACEPARENT_PROPERTY, properties.get("traceparent"))
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value if isinstance(value, str) else None


def _parent_context(traceparent: str | None) -> Context:
    """The context whose span is the remote parent named by ``traceparent``; an empty context (so a new
    trace) for a missing or invalid one."""
    if not traceparent:
        return Context()
    return _propagator.extract({"traceparent": traceparent}, context=Context())


@contextmanager
def consumer_span(
    name: str,
    traceparent: str | None,
    *,
    system: str,
    destination: str,
    message_id: str | None = None,
    attributes: Mapping[str, str | int | bool] | None = None,
) -> Iterator[Span]:
    """A CONSUMER span for processing one received message, child of the message's ``traceparent`` (a new
    trace when it is missing or invalid). ``system`` is the semantic conventions' messaging system
    (``servicebus``, ``eventhubs``), ``destination`` the queue / topic-subscription / hub. While open it is
    the current span, and ``servicekit.logs.traceparent_var`` holds its traceparent, so log lines and
    ``current_traceparent()`` for outgoing messages continue this trace. When nothing exports, the span is
    a bare non-recording one (no attributes)."""
    if not tracing_exports():
        with trace_context.current(trace_context.non_recording_child(traceparent)) as light:
            yield light
        return
    span_attributes: dict[str, str | int | bool] = {
        "messaging.system": system,
        "messaging.destination.name": destination,
        "messaging.operation.type": "process",
    }
    if message_id is not None:
        span_attributes["messaging.message.id"] = message_id
    if attributes:
        span_attributes.update(attributes)
    tracer = trace.get_tracer(__name__)
    with tracer.start_as_current_span(
        name, context=_parent_context(traceparent), kind=SpanKind.CONSUMER, attributes=span_attributes
    ) as span:
        context = span.get_span_context()
        token = traceparent_var.set(
            format_traceparent(context) if context.is_valid else child_traceparent(traceparent)
        )
        try:
            yield span
        finally:
            traceparent_var.reset(token)


def _mark_logs_with_span(span: Span, *_: object) -> None:
    """Server-request hook: log lines of the request carry the server span's ids."""
    context = span.get_span_context()
    if context.is_valid:
        traceparent_var.set(format_traceparent(context))


def instrument_fastapi(app: FastAPI, *, excluded_urls: str = QUIET_URLS) -> None:
    """Every request of a FastAPI app runs in a child of its ``traceparent`` header, which is the current
    span and in ``traceparent_var`` while it runs. With an exporter that is a SERVER span named
    ``METHOD /route/{template}`` (no ASGI receive/send sub-spans), except for ``excluded_urls``
    (comma-separated regexes of full URLs; by default ``/health``, ``/ready``, ``/metrics``), which like
    every request without an exporter get a non-recording child (``servicekit.trace_context``). Call it
    after configure_tracing and after adding the app's own middleware (which then runs in that span)."""
    if not tracing_exports():
        _wrap_asgi_stack(app)
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    app.add_middleware(trace_context.TraceContextMiddleware, only_untraced=True)
    FastAPIInstrumentor.instrument_app(
        app,
        server_request_hook=_mark_logs_with_span,
        exclude_spans=list(_EXCLUDED_ASGI_SPANS),  # type: ignore[arg-type]
        excluded_urls=excluded_urls,
    )


def _wrap_asgi_stack(app: FastAPI) -> None:
    """The trace context middleware around the whole stack, error handling included, where the
    OpenTelemetry instrumentation would put its own."""
    build_stack = app.build_middleware_stack

    def build_traced_stack() -> ASGIApp:
        return trace_context.TraceContextMiddleware(build_stack())

    app.build_middleware_stack = build_traced_stack  # type: ignore[method-assign]


def instrument_flask(app: Flask, *, excluded_urls: str = QUIET_URLS) -> None:
    """As ``instrument_fastapi``, for a Flask app: SERVER spans named ``METHOD /route/<template>`` with an
    exporter; the trace context is cleared when the request ends, since WSGI servers reuse threads."""
    if not tracing_exports():
        trace_context.install_flask_trace_context(app)
        return
    from opentelemetry.instrumentation.flask import FlaskInstrumentor

    FlaskInstrumentor.instrument_app(  # type: ignore[no-untyped-call]
        app, request_hook=_mark_logs_with_span, excluded_urls=excluded_urls
    )
    trace_context.install_flask_trace_context(app, only_untraced=True)


def instrument_http_clients() -> None:
    """CLIENT spans (and an injected ``traceparent`` header) for every httpx and aiohttp request the
    process makes, when spans are exported; once per process. Without an exporter nothing is instrumented:
    the wrappers would run on every Azure SDK call (Tables, Blob) of the hot paths for a header nobody
    records, and the load goals are measured there; messages and logs still carry the trace context. The
    Azure SDKs' own HTTP calls are not doubled: azure-core's plugin suppresses HTTP instrumentation under
    its spans. Call it after ``configure_tracing``."""
    if _state.http_clients_instrumented or not tracing_exports():
        return
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument()
    AioHttpClientInstrumentor().instrument()
    _state.http_clients_instrumented = True
