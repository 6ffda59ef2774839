"""Composition: the stores, the metrics and the HTTP listener, on the caller's event loop."""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator_common.admin_http import AdminServer

from telemetry_emulator.appinsights import EnvelopeStore
from telemetry_emulator.http_app import create_app
from telemetry_emulator.metrics import ReceiverMetrics
from telemetry_emulator.state import ReceiverState
from telemetry_emulator.store import TraceStore

DEFAULT_MAX_BODY_BYTES = 4 * 1024**2


@dataclass(frozen=True, slots=True)
class TelemetryOptions:
    host: str = "127.0.0.1"
    http_port: int = 4318
    max_spans: int = 50_000
    max_envelopes: int = 10_000
    # Of the body as decoded (aiohttp inflates a Content-Encoding: gzip body before counting).
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # Required on every route but /health, /metrics and the ingestion POSTs when set (see http_app).
    admin_token: str | None = field(default=None, repr=False)


class TelemetryReceiver:
    def __init__(self, options: TelemetryOptions) -> None:
        self.options = options
        traces = TraceStore(options.max_spans)
        envelopes = EnvelopeStore(options.max_envelopes)
        self.state = ReceiverState(
            traces, envelopes, ReceiverMetrics(traces, envelopes), options.max_body_bytes
        )
        self._http = AdminServer(create_app(self.state, options.admin_token), options.host, options.http_port)
        self.http_port: int | None = None

    async def start(self) -> None:
        self.http_port = await self._http.start()

    def listening(self) -> dict[str, object]:
        """The fields of the ``listening`` log line, once started."""
        return {"host": self.options.host, "http_port": self.http_port}

    async def close(self) -> None:
        await self._http.close()
