"""What every HTTP handler reads: the stores, the metrics and the limits, under one application key."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from telemetry_emulator.appinsights import EnvelopeStore
from telemetry_emulator.metrics import ReceiverMetrics
from telemetry_emulator.store import TraceStore


@dataclass(frozen=True, slots=True)
class ReceiverState:
    traces: TraceStore
    envelopes: EnvelopeStore
    metrics: ReceiverMetrics
    max_body_bytes: int


STATE_KEY: web.AppKey[ReceiverState] = web.AppKey("receiver", ReceiverState)
