"""Admin HTTP routes of the Event Hubs emulator, added to `emulator_common.admin_http`'s base app
(``/health`` and ``/faults`` come from there).

| route | answer |
|---|---|
| ``GET /hubs`` | every hub with its partitions' counts and last sequence numbers |
| ``GET /hubs/{hub}`` | one hub (404 problem when unknown) |
| ``GET /hubs/{hub}/partitions/{partition}`` | one partition's runtime information |
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from emulator_common.admin_http import ProblemError, json_response

from eventhubs_emulator.errors import HubNotFoundError, PartitionNotFoundError
from eventhubs_emulator.model import PartitionInfo
from eventhubs_emulator.provider import EventHubsProvider

PROVIDER_KEY: web.AppKey[EventHubsProvider] = web.AppKey("provider", EventHubsProvider)


def _partition(info: PartitionInfo) -> dict[str, Any]:
    return {
        "id": info.partition_id,
        "event_count": info.event_count,
        "begin_sequence_number": info.begin_sequence_number,
        "last_sequence_number": info.last_sequence_number,
        "last_offset": str(info.last_offset),
        "last_enqueued_time_ms": info.last_enqueued_time_ms,
        "is_empty": info.is_empty,
    }


def _hub(provider: EventHubsProvider, name: str) -> dict[str, Any]:
    try:
        settings = provider.hub_settings(name)
    except HubNotFoundError as error:
        raise ProblemError(404, "Not Found", str(error)) from None
    partitions = [_partition(provider.partition_info(settings.name, pid)) for pid in settings.partition_ids]
    return {
        "name": settings.name,
        "partition_count": settings.partition_count,
        "consumer_groups": list(settings.consumer_groups),
        "retention_seconds": int(settings.retention.total_seconds()),
        "max_event_size": settings.max_event_size,
        "event_count": sum(partition["event_count"] for partition in partitions),
        "partitions": partitions,
    }


async def _list_hubs(request: web.Request) -> web.Response:
    provider = request.app[PROVIDER_KEY]
    return json_response(
        {"namespace": provider.namespace, "hubs": [_hub(provider, hub.name) for hub in provider.hubs()]}
    )


async def _get_hub(request: web.Request) -> web.Response:
    return json_response(_hub(request.app[PROVIDER_KEY], request.match_info["hub"]))


async def _get_partition(request: web.Request) -> web.Response:
    provider = request.app[PROVIDER_KEY]
    try:
        info = provider.partition_info(request.match_info["hub"], request.match_info["partition"])
    except (HubNotFoundError, PartitionNotFoundError) as error:
        raise ProblemError(404, "Not Found", str(error)) from None
    return json_response(_partition(info))


def add_routes(app: web.Application, provider: EventHubsProvider) -> None:
    app[PROVIDER_KEY] = provider
    app.router.add_get("/hubs", _list_hubs)
    app.router.add_get("/hubs/{hub}", _get_hub)
    app.router.add_get("/hubs/{hub}/partitions/{partition}", _get_partition)
