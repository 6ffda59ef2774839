"""The API process's long-lived clients and the one event loop they live on.

Flask runs each async view in a fresh event loop (asgiref), but the Azure aio clients and the JWKS client
are bound to the loop that created them. So they live on one background loop in its own thread, built
once per server worker process, and views hand their coroutines over with ``call``: connection pools are
reused across requests instead of being rebuilt per request.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from servicekit.auth import TokenVerifier, build_verifier

from payment_service.adapters.gateway import SimulatedGateway
from payment_service.adapters.ledger import TableLedger
from payment_service.adapters.servicebus import ServiceBus
from payment_service.metrics import ApiMetrics
from payment_service.settings import Settings

T = TypeVar("T")


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
class ApiRuntime:
    settings: Settings
    io: IoLoop
    ledger: TableLedger
    bus: ServiceBus
    gateway: SimulatedGateway
    verifier: TokenVerifier
    metrics: ApiMetrics

    @classmethod
    def start(cls, settings: Settings) -> ApiRuntime:
        io = IoLoop()

        async def build() -> ApiRuntime:
            ledger = TableLedger.connect(
                settings.ledger_table,
                connection_string=_secret(settings.tables_connection_string),
                endpoint=settings.tables_endpoint,
            )
            await ledger.ensure_table()
            bus = ServiceBus.connect(
                connection_string=_secret(settings.servicebus_connection_string),
                namespace=settings.servicebus_namespace,
            )
            gateway = SimulatedGateway(
                settings.gateway_state_path,
                settings.gateway_api_key.get_secret_value(),
                fraud_review_seconds=settings.fraud_review_seconds,
            )
            return cls(settings, io, ledger, bus, gateway, build_verifier(settings), ApiMetrics())

        return io.run(build())

    def close(self) -> None:
        async def close_all() -> None:
            await self.verifier.close()
            await self.bus.close()
            await self.ledger.close()

        self.io.run(close_all())
        self.io.stop()


def _secret(value: Any) -> str | None:
    return None if value is None else str(value.get_secret_value())
