"""Event Hubs (azure-eventhub aio, checkpoints in Blob storage: the same SDK path as the notification
service) → rows → the push dataset. A batch is checkpointed only after its rows were pushed; a malformed
event is counted and passed over, never stopping the consumer."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from azure.core.exceptions import ResourceExistsError
from azure.eventhub import EventData
from azure.eventhub.aio import EventHubConsumerClient, PartitionContext
from azure.eventhub.amqp import AmqpMessageBodyType
from azure.eventhub.extensions.checkpointstoreblobaio import BlobCheckpointStore
from azure.identity.aio import DefaultAzureCredential
from azure.storage.blob.aio import ContainerClient
from servicekit.envelopes import PoisonError

from analytics_service.counters import Counters
from analytics_service.powerbi import PushDataset, PushFailedError
from analytics_service.rows import RowMapper
from analytics_service.settings import Settings

log = logging.getLogger(__name__)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def body_of(event: EventData) -> bytes | None:
    message = event.raw_amqp_message
    return b"".join(message.body) if message.body_type is AmqpMessageBodyType.DATA else None


class OrderEventsToPowerBI:
    def __init__(self, mapper: RowMapper, dataset: PushDataset, counters: Counters) -> None:
        self._mapper = mapper
        self._dataset = dataset
        self._counters = counters

    async def on_batch(self, context: PartitionContext, events: list[EventData]) -> None:
        if not events:
            return
        rows = []
        for event in events:
            properties = {_text(k): _text(v) for k, v in (event.properties or {}).items()}
            try:
                rows.append(self._mapper.row(body_of(event), properties))
            except PoisonError as poison:
                self._counters.skipped[poison.reason] += 1
                log.warning(
                    "malformed event skipped",
                    extra={
                        "partition": context.partition_id,
                        "sequence": event.sequence_number,
                        "reason": poison.reason,
                    },
                )
        if rows:
            try:
                await self._dataset.push(rows)
            except PushFailedError as error:
                # Not checkpointed: the batch is read again after a restart or a partition handover.
                self._counters.push_failures += 1
                log.error("rows not pushed; batch left unchecked", extra={"error": str(error)})
                return
            self._counters.pushed += len(rows)
            self._counters.batches += 1
        await context.update_checkpoint(events[-1])


async def ensure_container(settings: Settings) -> None:
    if settings.checkpoint_connection_string:
        container = ContainerClient.from_connection_string(
            settings.checkpoint_connection_string, settings.checkpoint_container
        )
    else:
        assert settings.checkpoint_account_url is not None  # settings require one of the two
        container = ContainerClient(
            settings.checkpoint_account_url,
            settings.checkpoint_container,
            credential=DefaultAzureCredential(),
        )
    async with container:
        with contextlib.suppress(ResourceExistsError):
            await container.create_container()


def consumer_client(settings: Settings) -> EventHubConsumerClient:
    if settings.checkpoint_connection_string:
        store = BlobCheckpointStore.from_connection_string(
            settings.checkpoint_connection_string, settings.checkpoint_container
        )
    else:
        assert settings.checkpoint_account_url is not None
        store = BlobCheckpointStore(
            settings.checkpoint_account_url,
            settings.checkpoint_container,
            credential=DefaultAzureCredential(),
        )
    if settings.eventhub_connection_string:
        return EventHubConsumerClient.from_connection_string(
            settings.eventhub_connection_string,
            consumer_group=settings.consumer_group,
            checkpoint_store=store,
        )
    assert settings.eventhub_namespace is not None
    return EventHubConsumerClient(
        settings.eventhub_namespace,
        settings.eventhub_name,
        consumer_group=settings.consumer_group,
        credential=DefaultAzureCredential(),
        checkpoint_store=store,
    )
