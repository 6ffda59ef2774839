"""Event Hubs (azure-eventhub aio ``EventHubConsumerClient``) with checkpoints in Blob storage
(azure-eventhub-checkpointstoreblob-aio; Azurite locally).

Nothing outside this module sees an SDK type: the handler gets an ``InboundEvent``. Events arrive in
batches per partition (up to ``receive_batch_size``, whatever the partition has ready); the handler takes
them one by one, in order, and the partition's progress moves once per batch, after its last handled
event. A partition's checkpoint is saved at the end of a batch once ``checkpoint_every_events`` events or
``checkpoint_every_seconds`` went by since the last one, and once more on shutdown and when a partition is
handed to another instance: never ahead of a handled event. Whatever was handled after the last checkpoint
is read again after a crash, which the handler's dedupe makes harmless.

Each time this instance starts reading a partition (a claim: at start, after a rebalance, after the SDK
re-created a failed receiver) the partition's claim number goes up by one; every event carries the number
it was read under, so the handler can tell the first events after a claim (the ones another reader may
have handled already) from the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from azure.core.exceptions import ResourceExistsError
from azure.eventhub import EventData
from azure.eventhub.aio import EventHubConsumerClient, PartitionContext
from azure.eventhub.amqp import AmqpMessageBodyType
from azure.eventhub.extensions.checkpointstoreblobaio import BlobCheckpointStore
from azure.storage.blob.aio import ContainerClient
from servicekit.azure_http import transport_options

from notification_service.adapters.identity import async_credential

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundEvent:
    partition_id: str
    sequence_number: int
    body: bytes | None
    """None when the body is not AMQP data sections (then it cannot be JSON for us)."""
    properties: dict[str, str]
    enqueued_time: datetime | None = None
    """When the hub accepted the event (the consumer lag is measured from it)."""
    claim: int = 0
    """Which of this process's claims of the partition the event was read under (1 for the first)."""

    @property
    def position(self) -> str:
        return f"{self.partition_id}:{self.sequence_number}"


Handler = Callable[[InboundEvent], Awaitable[None]]


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def to_inbound(partition_id: str, event: EventData, claim: int = 0) -> InboundEvent:
    message = event.raw_amqp_message
    body = b"".join(message.body) if message.body_type is AmqpMessageBodyType.DATA else None
    return InboundEvent(
        partition_id=partition_id,
        sequence_number=int(event.sequence_number or 0),
        body=body,
        properties={_text(k): _text(v) for k, v in (event.properties or {}).items()},
        enqueued_time=event.enqueued_time,
        claim=claim,
    )


@dataclass
class _Progress:
    context: PartitionContext
    event: EventData
    unsaved: int
    saved_at: float


class EventHubSource:
    def __init__(
        self,
        client: EventHubConsumerClient,
        container: ContainerClient,
        *,
        store: BlobCheckpointStore | None = None,
        checkpoint_every_events: int,
        checkpoint_every_seconds: float,
        receive_batch_size: int = 50,
    ) -> None:
        self._client = client
        self._store = store
        self._batch_size = receive_batch_size
        self._container = container
        self._every_events = checkpoint_every_events
        self._every_seconds = checkpoint_every_seconds
        self._progress: dict[str, _Progress] = {}
        self._claims: dict[str, int] = {}
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @classmethod
    def connect(
        cls,
        *,
        eventhub_connection_string: str | None,
        eventhub_namespace: str | None,
        eventhub_name: str,
        consumer_group: str,
        checkpoint_connection_string: str | None,
        checkpoint_account_url: str | None,
        checkpoint_container: str,
        checkpoint_every_events: int,
        checkpoint_every_seconds: float,
        receive_batch_size: int,
        load_balancing_seconds: float,
        ownership_expiration_seconds: float,
    ) -> EventHubSource:
        http = transport_options()
        if checkpoint_connection_string is not None:
            store = BlobCheckpointStore.from_connection_string(
                checkpoint_connection_string, checkpoint_container, **http
            )
            container = ContainerClient.from_connection_string(
                checkpoint_connection_string, checkpoint_container, **http
            )
        else:
            assert checkpoint_account_url is not None  # settings require one of the two
            store = BlobCheckpointStore(
                checkpoint_account_url, checkpoint_container, credential=async_credential(), **http
            )
            container = ContainerClient(
                checkpoint_account_url, checkpoint_container, credential=async_credential(), **http
            )
        if eventhub_connection_string is not None:
            client = EventHubConsumerClient.from_connection_string(
                eventhub_connection_string,
                consumer_group=consumer_group,
                eventhub_name=eventhub_name,
                checkpoint_store=store,
                load_balancing_interval=load_balancing_seconds,
                partition_ownership_expiration_interval=ownership_expiration_seconds,
            )
        else:
            assert eventhub_namespace is not None  # settings require one of the two
            client = EventHubConsumerClient(
                eventhub_namespace,
                eventhub_name,
                consumer_group,
                async_credential(),
                checkpoint_store=store,
                load_balancing_interval=load_balancing_seconds,
                partition_ownership_expiration_interval=ownership_expiration_seconds,
            )
        return cls(
            client,
            container,
            store=store,
            checkpoint_every_events=checkpoint_every_events,
            checkpoint_every_seconds=checkpoint_every_seconds,
            receive_batch_size=receive_batch_size,
        )

    async def ensure_container(self) -> None:
        with contextlib.suppress(ResourceExistsError):
            await self._container.create_container()

    async def ping(self) -> None:
        """Raises when the checkpoint container does not answer."""
        await self._container.get_container_properties()

    async def run(
        self, handler: Handler, stop: asyncio.Event, *, grace_seconds: float, on_ready: Callable[[], None]
    ) -> None:
        """Reads every partition (from the last checkpoint, or the start) until ``stop`` is set; then lets
        the event in hand finish for ``grace_seconds``, saves the checkpoints, and closes."""

        async def on_batch(context: PartitionContext, events: list[EventData]) -> None:
            if not events or stop.is_set():
                return
            self._in_flight += 1
            self._idle.clear()
            handled = 0
            claim = self._claims.get(context.partition_id, 0)
            try:
                for event in events:
                    if stop.is_set():
                        break
                    await self._handle_one(handler, to_inbound(context.partition_id, event, claim))
                    handled += 1
            finally:
                if handled:
                    await self._advance(context, events[handled - 1], handled)
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._idle.set()

        async def on_partition_initialize(context: PartitionContext) -> None:
            # Awaited by the SDK before the claim's first receive: every event of the claim sees the number.
            self._claims[context.partition_id] = self._claims.get(context.partition_id, 0) + 1

        async def on_partition_close(context: PartitionContext, reason: Any) -> None:
            await self._save(context.partition_id)

        async def on_error(context: PartitionContext | None, error: Exception) -> None:
            partition = context.partition_id if context else None
            log.warning("event hub receive error", extra={"partition": partition, "error": str(error)})

        receiving = asyncio.create_task(
            self._client.receive_batch(
                on_batch,
                max_batch_size=self._batch_size,
                starting_position="-1",
                on_error=on_error,
                on_partition_initialize=on_partition_initialize,
                on_partition_close=on_partition_close,
            )
        )
        on_ready()
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({receiving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace_seconds)
        for partition_id in list(self._progress):
            await self._save(partition_id)
        await self._client.close()
        stopping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receiving

    @staticmethod
    async def _handle_one(handler: Handler, event: InboundEvent) -> None:
        """One event through ``handler``; a failure is logged and the batch goes on, as the SDK does with
        a failing per-event callback, so one bad event never holds back the ones after it."""
        try:
            await handler(event)
        except Exception:
            log.exception(
                "event handling failed",
                extra={"partition": event.partition_id, "sequence_number": event.sequence_number},
            )

    async def _advance(self, context: PartitionContext, event: EventData, count: int) -> None:
        """``count`` more events of the partition are handled, ``event`` the last of them."""
        progress = self._progress.get(context.partition_id)
        if progress is None:
            progress = self._progress[context.partition_id] = _Progress(context, event, 0, time.monotonic())
        progress.context, progress.event = context, event
        progress.unsaved += count
        due = time.monotonic() - progress.saved_at >= self._every_seconds
        if progress.unsaved >= self._every_events or due:
            await self._save(context.partition_id)

    async def _save(self, partition_id: str) -> None:
        progress = self._progress.get(partition_id)
        if progress is None or progress.unsaved == 0:
            return
        try:
            await progress.context.update_checkpoint(progress.event)
        except Exception:
            log.exception(
                "checkpoint failed; events after the last one will be read again",
                extra={"partition": partition_id},
            )
            return
        progress.unsaved = 0
        progress.saved_at = time.monotonic()

    async def close(self) -> None:
        # The consumer client leaves its checkpoint store (and the store's HTTP session) open.
        if self._store is not None:
            await self._store.close()
        await self._container.close()
