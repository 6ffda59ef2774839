"""``analytics-service``: the consumer plus /health and /metrics over HTTP; SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web
from azure.identity.aio import DefaultAzureCredential
from servicekit.aiohttp_guard import HEADER_TIMEOUT_SECONDS, body_guard_middleware
from servicekit.contracts import Contracts
from servicekit.settings import load_settings

from analytics_service.consumer import OrderEventsToPowerBI, consumer_client, ensure_container
from analytics_service.counters import Counters
from analytics_service.powerbi import PushDataset, TokenProvider
from analytics_service.rows import RowMapper
from analytics_service.settings import Settings

log = logging.getLogger("analytics_service")
POWERBI_SCOPE = "https://analysis.windows.net/powerbi/api/.default"
# No route takes a body: larger ones get 413, slow ones 408 (servicekit.aiohttp_guard).
MAX_BODY_BYTES = 16 * 1024


def http_app(counters: Counters) -> web.Application:
    async def health(_: web.Request) -> web.Response:
        return web.json_response(
            {"status": "ok", "pushed": counters.pushed, "skipped": sum(counters.skipped.values())}
        )

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(text=counters.prometheus(), content_type="text/plain")

    app = web.Application(middlewares=[body_guard_middleware()], client_max_size=MAX_BODY_BYTES)
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    return app


def token_provider(settings: Settings) -> TokenProvider | None:
    if not settings.powerbi_use_identity:
        return None
    credential = DefaultAzureCredential()

    async def token() -> str:
        return (await credential.get_token(POWERBI_SCOPE)).token

    return token


async def serve(settings: Settings) -> None:
    counters = Counters()
    dataset = PushDataset(settings.powerbi_url, settings.powerbi_dataset, token_provider(settings))
    handler = OrderEventsToPowerBI(RowMapper(Contracts(settings.contracts_dir)), dataset, counters)
    runner = web.AppRunner(http_app(counters), keepalive_timeout=HEADER_TIMEOUT_SECONDS)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    await ensure_container(settings)
    client = consumer_client(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    receiving = asyncio.create_task(
        client.receive_batch(
            handler.on_batch,
            max_batch_size=settings.max_batch_size,
            max_wait_time=settings.max_wait_seconds,
            starting_position="-1",
        )
    )
    log.info(
        "analytics consuming %s/%s into %s",
        settings.eventhub_name,
        settings.consumer_group,
        settings.powerbi_url,
    )
    await stop.wait()
    await client.close()
    receiving.cancel()
    await asyncio.gather(receiving, return_exceptions=True)
    await dataset.close()
    await runner.cleanup()


def run() -> None:
    settings = load_settings(Settings, "analytics-service")
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(serve(settings))
