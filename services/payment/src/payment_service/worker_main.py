"""Entry point of the worker (``payment-worker``): wires the clients, the processor and the receive loop."""

from __future__ import annotations

import asyncio
import signal

from servicekit.contracts import Contracts
from servicekit.logs import configure_logging
from servicekit.settings import load_settings

from payment_service.adapters.gateway import SimulatedGateway
from payment_service.adapters.ledger import TableLedger
from payment_service.adapters.servicebus import ServiceBus, TopicPublisher
from payment_service.api.worker_ops import start_ops_server
from payment_service.domain.processor import PaymentProcessor, RetryPolicy
from payment_service.faults import CrashAfter
from payment_service.metrics import WorkerMetrics
from payment_service.settings import Settings
from payment_service.worker import PaymentRequestHandler


async def serve(settings: Settings) -> None:
    stop, receiving, metrics = asyncio.Event(), asyncio.Event(), WorkerMetrics()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    tables, sb = settings.tables_connection_string, settings.servicebus_connection_string
    ledger = TableLedger.connect(
        settings.ledger_table,
        connection_string=tables.get_secret_value() if tables else None,
        endpoint=settings.tables_endpoint,
    )
    bus = ServiceBus.connect(
        connection_string=sb.get_secret_value() if sb else None, namespace=settings.servicebus_namespace
    )
    gateway = SimulatedGateway(
        settings.gateway_state_path,
        settings.gateway_api_key.get_secret_value(),
        fraud_review_seconds=settings.fraud_review_seconds,
    )
    retry = RetryPolicy(
        settings.gateway_max_attempts,
        settings.gateway_backoff_base_seconds,
        settings.gateway_backoff_max_seconds,
    )
    processor = PaymentProcessor(
        ledger,
        gateway,
        TopicPublisher(bus, settings.events_topic),
        retry,
        after_step=CrashAfter(settings.crash_after),
    )
    handler = PaymentRequestHandler(Contracts(settings.contracts_dir), processor, metrics)
    ops = await start_ops_server(settings.worker_host, settings.worker_port, metrics, receiving)
    try:
        await ledger.ensure_table()
        await bus.consume(
            settings.requests_queue,
            handler,
            concurrency=settings.worker_concurrency,
            stop=stop,
            max_lock_renewal_seconds=settings.max_lock_renewal_seconds,
            shutdown_grace_seconds=settings.shutdown_grace_seconds,
            on_ready=receiving.set,
        )
    finally:
        await ops.cleanup()
        await bus.close()
        await ledger.close()


def run() -> None:
    settings = load_settings(Settings, "payment-worker")
    configure_logging(settings.log_level, "payment-worker", quiet=("uamqp",))
    asyncio.run(serve(settings))
