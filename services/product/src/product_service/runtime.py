"""Builds the running service from settings: clients, repositories, domain services, the sweeper.

Owned by the application's lifespan, so that shutdown (SIGTERM) stops the sweeper, waits for the
reservation writes still on their way, and closes every client after uvicorn has finished the requests in
flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI
from servicekit.auth import TokenVerifier, build_verifier
from servicekit.health import Check

from product_service.adapters.blob import BlobImageStore
from product_service.adapters.clients import Clients, check_blob, check_cosmos, open_clients
from product_service.adapters.cosmos import CosmosProductRepository, CosmosReservationRepository
from product_service.domain.catalog import CatalogService
from product_service.domain.catalog_cache import CatalogCache
from product_service.domain.image_cache import ImageCache
from product_service.domain.reservations import ReservationService
from product_service.metrics import Metrics
from product_service.seed import seed_catalog
from product_service.settings import Settings

log = logging.getLogger(__name__)

# Product images kept in memory, 32 MB at most (the demo catalog's 112 take about 23 KB); an image over
# 2 MB is streamed from Blob Storage every time.
IMAGE_CACHE_BYTES = 32 * 1024 * 1024


@dataclass
class Runtime:
    settings: Settings
    metrics: Metrics
    clients: Clients
    catalog: CatalogService
    reservations: ReservationService
    verifier: TokenVerifier

    def readiness_checks(self) -> dict[str, Check]:
        """What ``/ready`` checks, by the conventions' dependency names."""
        return {
            "cosmosDb": lambda: check_cosmos(self.clients),
            "blobStorage": lambda: check_blob(self.clients),
        }


async def build_runtime(settings: Settings, metrics: Metrics) -> Runtime:
    clients = await open_clients(settings, metrics.observe_cosmos)
    products = CosmosProductRepository(clients.products)
    images = BlobImageStore(clients.images)
    cache = CatalogCache(settings.catalog_cache_seconds)
    catalog = CatalogService(
        products,
        images,
        image_types=frozenset(settings.image_content_types),
        image_max_bytes=settings.image_max_bytes,
        cache=cache,
        image_cache=ImageCache(max_bytes=IMAGE_CACHE_BYTES, max_image_bytes=IMAGE_CACHE_BYTES // 16),
    )
    reservations = ReservationService(
        products,
        CosmosReservationRepository(clients.reservations),
        ttl=timedelta(seconds=settings.reservation_ttl_seconds),
        cache=cache,
    )
    return Runtime(settings, metrics, clients, catalog, reservations, build_verifier(settings))


async def sweep_forever(runtime: Runtime) -> None:
    while True:
        await asyncio.sleep(runtime.settings.sweep_interval_seconds)
        try:
            changed = await runtime.reservations.sweep()
        except Exception:  # the next pass retries; a failing store must not kill the sweeper
            log.exception("reservation sweep failed")
            continue
        if changed:
            runtime.metrics.reservations_expired.inc(changed)
            log.info("reservation sweep", extra={"changed": changed})


def lifespan(
    settings: Settings, metrics: Metrics
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        runtime = await build_runtime(settings, metrics)
        try:
            if settings.seed_on_start:
                await seed_catalog(runtime.catalog, only_if_empty=True)
            app.state.runtime = runtime
            sweeper = asyncio.create_task(sweep_forever(runtime), name="reservation-sweeper")
            log.info("product service started", extra={"database": settings.cosmos_database})
            yield
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
        finally:
            await runtime.reservations.drain()
            await runtime.verifier.close()
            await runtime.clients.close()
            log.info("product service stopped")

    return run
