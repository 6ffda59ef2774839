"""The Python services' calls to Azure services, each kind alone, made with the official SDKs as the services
build their clients (`services/*/src/*/adapters`), with documents and messages shaped like theirs.

Each leg makes `n` calls, `CONCURRENCY` at a time, in the cheapest way the SDK offers (messages received in
batches, not one per receive as the payment worker does), so that what it costs is a floor for the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError
from azure.core.pipeline.transport import AioHttpTransport
from azure.core.settings import settings as azure_settings
from azure.cosmos import PartitionKey
from azure.cosmos.aio import ContainerProxy, CosmosClient
from azure.data.tables import UpdateMode
from azure.data.tables.aio import TableClient
from azure.eventhub.aio import EventHubConsumerClient
from azure.servicebus import ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient

CONCURRENCY = 8
SEND_BATCH = 10
RECEIVE_BATCH = 20
PRODUCTS = 24
EXAMPLES = Path(__file__).resolve().parents[2] / "contract-tests" / "messages" / "examples"

# The services export no spans in the gate: the SDKs are told so, as the services tell them.
azure_settings.tracing_enabled = False


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / f"{name}.v1.json").read_text())
    return document


async def in_parallel(n: int, call: Callable[[int], Awaitable[object]]) -> None:
    """`call(0)` … `call(n - 1)`, at most CONCURRENCY at once."""

    async def worker(first: int) -> None:
        for index in range(first, n, CONCURRENCY):
            await call(index)

    await asyncio.gather(*(worker(first) for first in range(CONCURRENCY)))


class CosmosLegs:
    """Product's calls: holds on product documents (patch), reservation documents (create, replace)."""

    def __init__(self, endpoint: str, key: str) -> None:
        self._client = CosmosClient(
            endpoint,
            credential=key,
            enable_endpoint_discovery=False,
            # The local server answers 500 instead of 404 without it (COSMOS-LOCAL.md); product sends it too.
            headers={"x-ms-documentdb-query-enablecrosspartition": "true"},
            transport=AioHttpTransport(use_env_settings=False),
        )
        self._products: ContainerProxy
        self._reservations: ContainerProxy
        self._reserved: list[dict[str, Any]] = []

    async def open(self) -> None:
        database = await self._client.create_database_if_not_exists("floor")
        self._products = await database.create_container_if_not_exists("products", PartitionKey("/id"))
        self._reservations = await database.create_container_if_not_exists(
            "reservations", PartitionKey("/id")
        )
        for index in range(PRODUCTS):
            await self._products.upsert_item(
                {
                    "id": f"p{index}",
                    "name": f"Product {index}",
                    "price": "12.50",
                    "currency": "EUR",
                    "stock": 10**9,
                    "holds": {},
                }
            )

    async def close(self) -> None:
        await self._client.close()

    async def create(self, n: int) -> None:
        async def create_one(index: int) -> None:
            order_id = f"ord_{uuid.uuid4().hex[:20]}"
            document = {
                "id": order_id,
                "status": "PENDING",
                "settled": False,
                "items": [{"productId": f"p{index % PRODUCTS}", "quantity": 1}],
                "createdAt": "2026-12-07T05:00:00+00:00",
                "updatedAt": "2026-12-07T05:00:00+00:00",
                "expiresAt": "2026-12-07T05:15:00+00:00",
            }
            self._reserved.append(await self._reservations.create_item(document))

        await in_parallel(n, create_one)

    async def patch(self, n: int) -> None:
        async def hold(index: int) -> None:
            await self._products.patch_item(
                f"p{index % PRODUCTS}",
                f"p{index % PRODUCTS}",
                [
                    {"op": "incr", "path": "/stock", "value": -1},
                    {"op": "set", "path": f"/holds/o{index}", "value": 1},
                ],
                filter_predicate="from c where c.stock >= 1",
            )

        await in_parallel(n, hold)

    async def replace(self, n: int) -> None:
        async def replace_one(index: int) -> None:
            document = self._reserved[index % len(self._reserved)]
            changed = {**document, "status": "RESERVED", "settled": True}
            self._reserved[index % len(self._reserved)] = await self._reservations.replace_item(
                document["id"], changed, etag=document["_etag"], match_condition=MatchConditions.IfNotModified
            )

        await in_parallel(n, replace_one)


class TableLegs:
    """The payment ledger's insert and conditional merge (notification's log inserts one entity per event
    the same way)."""

    def __init__(self, connection_string: str) -> None:
        self._ledger = TableClient.from_connection_string(
            connection_string, "floorledger", transport=AioHttpTransport(use_env_settings=False)
        )
        self._rows: list[tuple[str, str]] = []

    async def open(self) -> None:
        # Each round of the bench opens it again.
        with contextlib.suppress(ResourceExistsError):
            await self._ledger.create_table()

    async def close(self) -> None:
        await self._ledger.close()

    async def insert(self, n: int) -> None:
        async def insert_one(index: int) -> None:
            order_id = f"ord_{uuid.uuid4().hex[:20]}"
            entity = {
                "PartitionKey": order_id,
                "RowKey": order_id,
                "OrderId": order_id,
                "PaymentId": f"pay_{order_id}",
                "State": "charged",
                "Amount": "42.00",
                "Currency": "EUR",
                "CardLast4": "4242",
                "CreatedAt": "2026-12-07T05:00:00+00:00",
                "DecidedAt": "2026-12-07T05:00:00+00:00",
                "Succeeded": True,
                "AuthorizationCode": "A1B2C3",
            }
            metadata = await self._ledger.create_entity(entity, response_preference="return-no-content")
            self._rows.append((order_id, str(metadata["etag"])))

        await in_parallel(n, insert_one)

    async def merge(self, n: int) -> None:
        async def merge_one(index: int) -> None:
            order_id, etag = self._rows[index % len(self._rows)]
            metadata = await self._ledger.update_entity(
                {"PartitionKey": order_id, "RowKey": order_id, "State": "published"},
                mode=UpdateMode.MERGE,
                etag=etag,
                match_condition=MatchConditions.IfNotModified,
            )
            self._rows[index % len(self._rows)] = (order_id, str(metadata["etag"]))

        await in_parallel(n, merge_one)


class ServiceBusLegs:
    """The payment worker's side: PaymentRequested received and completed, the outcome sent."""

    def __init__(self, connection_string: str) -> None:
        self._client = ServiceBusClient.from_connection_string(connection_string)

    async def close(self) -> None:
        await self._client.close()

    async def receive_and_complete(self, n: int) -> None:
        received = 0
        async with self._client.get_queue_receiver(
            "payment-requests", prefetch_count=RECEIVE_BATCH
        ) as receiver:
            while received < n:
                messages = await receiver.receive_messages(max_message_count=RECEIVE_BATCH, max_wait_time=5)
                if not messages:
                    raise SystemExit(f"payment-requests: {received} of {n} messages arrived")
                await asyncio.gather(*(receiver.complete_message(message) for message in messages))
                received += len(messages)

    async def send(self, n: int) -> None:
        envelope = example("PaymentSucceeded")
        async with self._client.get_topic_sender("payment-events") as sender:
            for first in range(0, n, SEND_BATCH):
                batch = [
                    ServiceBusMessage(
                        json.dumps({**envelope, "id": str(uuid.uuid4())}),
                        message_id=str(uuid.uuid4()),
                        content_type="application/json",
                        subject="PaymentSucceeded",
                    )
                    for _ in range(min(SEND_BATCH, n - first))
                ]
                await sender.send_messages(batch)


async def receive_events(connection_string: str, n: int) -> None:
    """Notification's side: order-events read in batches from the start, no checkpoints (they are Blob
    writes, once per batch at most)."""
    client = EventHubConsumerClient.from_connection_string(connection_string, consumer_group="analytics")
    received = 0
    done = asyncio.Event()

    async def on_batch(partition_context: Any, events: list[Any]) -> None:
        nonlocal received
        for event in events:
            event.body_as_str()
        received += len(events)
        if received >= n:
            done.set()

    receiving = asyncio.create_task(
        client.receive_batch(on_batch, max_batch_size=50, starting_position="-1", max_wait_time=1)
    )
    try:
        await asyncio.wait_for(done.wait(), timeout=120)
    finally:
        await client.close()
        receiving.cancel()
