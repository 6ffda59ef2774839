"""The one place the settings become clients, for both processes: ``Runtime.open`` connects the ledger,
Service Bus and the gateway for the API (``payment-service``) and the worker (``payment-worker``) alike.
``WorkerRuntime`` adds the worker's metrics and its receive loop; ``ApiRuntime`` the API's background loop,
token verifier and HTTP metrics.

Flask runs each async view in a fresh event loop (asgiref), but the Azure aio clients and the JWKS client
are bound to the loop that created them. So the API's clients live on one background loop in its own
thread, built once per server worker process, and views hand their coroutines over with ``IoLoop.call``:
connection pools are reused across requests instead of being rebuilt per request.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Self, TypeVar

from pydantic import SecretStr
from servicekit.auth import TokenVerifier, build_verifier
from servicekit.contracts import Contracts

from payment_service.adapters.gateway import SimulatedGateway
from payment_service.adapters.ledger import TableLedger
from payment_service.adapters.servicebus import ServiceBus, TopicPublisher
from payment_service.domain.processor import PaymentProcessor, RetryPolicy
from payment_service.faults import CrashAfter
from payment_service.metrics import ApiMetrics, WorkerMetrics
from payment_service.settings import Settings
from payment_service.worker import PaymentRequestHandler

T = TypeVar("T")


@dataclass
class Runtime:
    settings: Settings
    ledger: TableLedger
    bus: ServiceBus
    gateway: SimulatedGateway

    @classmethod
    async def open(cls, settings: Settings, **parts: Any) -> Self:
        """Connects the clients and makes sure the ledger table exists; ``parts`` are a subclass's own
        fields. Run it on the event loop that will use the clients."""
        ledger = TableLedger.connect(
            settings.ledger_table,
            connection_string=_reveal(settings.tables_connection_string),
            endpoint=settings.tables_endpoint,
        )
        bus = ServiceBus.connect(
            connection_string=_reveal(settings.servicebus_connection_string),
            namespace=settings.servicebus_namespace,
        )
        gateway = SimulatedGateway(
            settings.gateway_state_path,
            settings.gateway_api_key.get_secret_value(),
            fraud_review_seconds=settings.fraud_review_seconds,
        )
        runtime = cls(settings, ledger, bus, gateway, **parts)
        try:
            await ledger.ensure_table()
        except BaseException:
            await runtime.aclose()
            raise
        return runtime

    async def aclose(self) -> None:
        await self.bus.close()
        await self.ledger.close()
        self.gateway.close()


class IoLoop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="payment-io", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """From a thread that has no running loop (start-up, shut-down)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    async def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """From any other event loop (a Flask async view)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)


@dataclass
class WorkerRuntime(Runtime):
    metrics: WorkerMetrics

    async def receive(self, stop: asyncio.Event, on_ready: Callable[[], None]) -> None:
        """Handles ``payment-requests`` until ``stop`` is set, then drains (``ServiceBus.consume``)."""
        settings = self.settings
        retry = RetryPolicy(
            settings.gateway_max_attempts,
            settings.gateway_backoff_base_seconds,
            settings.gateway_backoff_max_seconds,
        )
        processor = PaymentProcessor(
            self.ledger,
            self.gateway,
            TopicPublisher(self.bus, settings.events_topic),
            retry,
            after_step=CrashAfter(settings.crash_after),
        )
        handler = PaymentRequestHandler(Contracts(settings.contracts_dir), processor, self.metrics)
        await self.bus.consume(
            settings.requests_queue,
            handler,
            concurrency=settings.worker_concurrency,
            stop=stop,
            max_lock_renewal_seconds=settings.max_lock_renewal_seconds,
            shutdown_grace_seconds=settings.shutdown_grace_seconds,
            on_ready=on_ready,
        )


@dataclass
class ApiRuntime(Runtime):
    io: IoLoop
    verifier: TokenVerifier
    metrics: ApiMetrics

    @classmethod
    def start(cls, settings: Settings) -> ApiRuntime:
        io = IoLoop()

        async def build() -> ApiRuntime:
            return await cls.open(settings, io=io, verifier=build_verifier(settings), metrics=ApiMetrics())

        try:
            return io.run(build())
        except BaseException:
            io.stop()
            raise

    async def aclose(self) -> None:
        await self.verifier.close()
        await super().aclose()

    def close(self) -> None:
        """From the server's worker-exit hook (no running loop)."""
        self.io.run(self.aclose())
        self.io.stop()


def _reveal(secret: SecretStr | None) -> str | None:
    return None if secret is None else secret.get_secret_value()
