"""Entry point of the worker (``payment-worker``): settings, logging, tracing, the runtime, its ops
endpoint and the receive loop."""

from __future__ import annotations

import asyncio
import signal
from contextlib import AsyncExitStack

from servicekit import event_loop
from servicekit.logs import configure_logging
from servicekit.settings import load_settings
from servicekit.tracing import configure_tracing, shutdown_tracing

from payment_service.api.worker_ops import start_ops_server
from payment_service.metrics import WorkerMetrics
from payment_service.runtime import WorkerRuntime
from payment_service.settings import Settings


async def serve(settings: Settings) -> None:
    stop, receiving = asyncio.Event(), asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        runtime = await WorkerRuntime.open(settings, metrics=WorkerMetrics())
        stack.push_async_callback(runtime.aclose)
        ops = await start_ops_server(
            settings.worker_host, settings.worker_port, runtime.metrics, receiving, runtime.ledger.ping
        )
        stack.push_async_callback(ops.cleanup)
        await runtime.receive(stop, on_ready=receiving.set)


def run() -> None:
    settings = load_settings(Settings, "payment-worker")
    configure_logging(settings.log_level, "payment-worker", quiet=("uamqp",))
    configure_tracing("payment-worker", environment=settings.environment.value)
    try:
        event_loop.run(serve(settings))
    finally:
        shutdown_tracing()
