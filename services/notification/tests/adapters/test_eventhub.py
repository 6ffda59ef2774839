"""The Event Hubs source on the real emulator and Azurite: events come in batches per partition, and the
checkpoint never moves past the last event handled."""

from __future__ import annotations

import asyncio
import uuid

from azure.storage.blob.aio import ContainerClient
from notification_service.adapters.eventhub import EventHubSource, InboundEvent
from shopctl.testing import LaunchedPlatform

from ..conftest import (
    LOAD_BALANCING_SECONDS,
    OWNERSHIP_EXPIRATION_SECONDS,
    Hub,
    eventhub_connection_string,
    status_changed,
)


async def checkpoints(storage: str, container: str) -> dict[str, int]:
    """Partition id -> checkpointed sequence number, as the blob checkpoint store keeps them."""
    found: dict[str, int] = {}
    async with ContainerClient.from_connection_string(storage, container) as client:
        async for blob in client.list_blobs(name_starts_with="", include=["metadata"]):
            if "/checkpoint/" in blob.name:
                found[blob.name.rsplit("/", 1)[1]] = int(blob.metadata["sequencenumber"])
    return found


async def test_stop_within_a_batch_checkpoints_the_last_handled_event(
    platform: LaunchedPlatform, eventhubs: LaunchedPlatform, hub: Hub
) -> None:
    order_id = f"ord_{uuid.uuid4().hex[:8]}"  # one partition key: the events share a partition, in order
    await hub.send(*(status_changed(order_id=order_id) for _ in range(6)))
    storage = platform.azurite_connection_string("blob", "table")
    container = f"checkpoints-{uuid.uuid4().hex[:12]}"
    source = EventHubSource.connect(
        eventhub_connection_string=eventhub_connection_string(eventhubs),
        eventhub_namespace=None,
        eventhub_name="order-events",
        consumer_group="$Default",
        checkpoint_connection_string=storage,
        checkpoint_account_url=None,
        checkpoint_container=container,
        checkpoint_every_events=1000,  # so the only checkpoint is the one saved on stopping
        checkpoint_every_seconds=1000,
        receive_batch_size=50,
        load_balancing_seconds=LOAD_BALANCING_SECONDS,
        ownership_expiration_seconds=OWNERSHIP_EXPIRATION_SECONDS,
    )
    await source.ensure_container()
    stop = asyncio.Event()
    handled: list[InboundEvent] = []

    async def handler(event: InboundEvent) -> None:
        handled.append(event)
        if len(handled) == 3:
            stop.set()

    try:
        await asyncio.wait_for(source.run(handler, stop, grace_seconds=5, on_ready=lambda: None), 30)
    finally:
        await source.close()

    assert [event.sequence_number for event in handled] == [0, 1, 2]
    assert await checkpoints(storage, container) == {handled[0].partition_id: 2}
