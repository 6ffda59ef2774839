"""EventHubConsumerClient with blob checkpoints in Azurite: load balancing, failover without gaps, and
checkpoints that stay valid across an emulator SIGKILL + restart with ``--data-dir``."""

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.eventhub import EventData
from azure.eventhub.aio import EventHubConsumerClient, EventHubProducerClient
from azure.eventhub.extensions.checkpointstoreblobaio import BlobCheckpointStore
from azure.storage.blob.aio import BlobServiceClient
from emulator_common.testing import close_receiving
from shopctl.testing import launched

GROUP = "notification-service"


@pytest.fixture(scope="module")
def azurite() -> Iterator[str]:
    with launched("azurite") as platform:
        yield platform.azurite_connection_string("blob")


@pytest.fixture
async def checkpoints(azurite: str) -> str:
    """A fresh blob container; its name."""
    name = f"checkpoints-{uuid.uuid4().hex[:12]}"
    async with BlobServiceClient.from_connection_string(azurite) as service:
        await service.create_container(name)
    return name


class Processor:
    """One EventHubConsumerClient in the consumer group, checkpointing every event to Azurite."""

    def __init__(
        self, connection_string: str, azurite: str, container: str, changed: asyncio.Condition
    ) -> None:
        self.store = BlobCheckpointStore.from_connection_string(azurite, container)
        self.changed = changed
        self.client = EventHubConsumerClient.from_connection_string(
            connection_string,
            GROUP,
            checkpoint_store=self.store,
            load_balancing_interval=1,
            partition_ownership_expiration_interval=4,
        )
        self.processed: list[tuple[str, int, str]] = []
        self.partitions: set[str] = set()
        self.task: asyncio.Task[Any] | None = None

    async def _on_event(self, context: Any, event: EventData | None) -> None:
        if event is None:
            return
        await context.update_checkpoint(event)
        # Counted once checkpointed, so a test that stops a client after N events has N checkpoints.
        self.processed.append((context.partition_id, event.sequence_number, event.body_as_str()))
        await self._notify()

    async def _on_init(self, context: Any) -> None:
        self.partitions.add(context.partition_id)
        await self._notify()

    async def _on_close(self, context: Any, reason: Any) -> None:
        self.partitions.discard(context.partition_id)
        await self._notify()

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    def start(self) -> None:
        self.task = asyncio.create_task(
            self.client.receive(
                self._on_event,
                on_partition_initialize=self._on_init,
                on_partition_close=self._on_close,
                starting_position="-1",
            )
        )

    async def stop(self) -> None:
        await close_receiving(self.client, self.task)
        if self.task is not None:
            self.task = None
            await self.store.close()


async def until(changed: asyncio.Condition, condition: Any) -> None:
    async with asyncio.timeout(40), changed:
        await changed.wait_for(condition)


async def send_round_robin(connection_string: str, prefix: str, count: int) -> None:
    async with EventHubProducerClient.from_connection_string(connection_string) as producer:
        for index in range(count):
            await producer.send_batch([EventData(f"{prefix}-{index}")], partition_id=str(index % 4))


async def test_two_clients_share_partitions_and_one_takes_over_without_gap(
    emulator, azurite: str, checkpoints: str
) -> None:
    cs = emulator.connection_string()
    changed = asyncio.Condition()
    first = Processor(cs, azurite, checkpoints, changed)
    second = Processor(cs, azurite, checkpoints, changed)
    try:
        first.start()
        second.start()
        await until(changed, lambda: len(first.partitions) == 2 and len(second.partitions) == 2)
        assert first.partitions.isdisjoint(second.partitions)

        await send_round_robin(cs, "before", 20)
        await until(changed, lambda: len(first.processed) + len(second.processed) >= 20)
        assert {p for p, _, _ in first.processed}.isdisjoint({p for p, _, _ in second.processed})

        taken_over = set(second.partitions)
        await second.stop()
        await until(changed, lambda: len(first.partitions) == 4)
        await send_round_robin(cs, "after", 20)
        await until(changed, lambda: len(first.processed) + len(second.processed) >= 40)
        await asyncio.sleep(1)
    finally:
        await first.stop()
        await second.stop()

    processed = first.processed + second.processed
    bodies = [body for _, _, body in processed]
    assert sorted(bodies) == sorted([f"before-{i}" for i in range(20)] + [f"after-{i}" for i in range(20)])
    for partition in taken_over:
        numbers = sorted(sequence for p, sequence, _ in processed if p == partition)
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # no gap, no duplicate
        assert any(p == partition for p, _, body in first.processed if body.startswith("after"))


async def test_checkpoint_stays_valid_after_sigkill_and_restart(
    emulator_factory, azurite: str, checkpoints: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    server = emulator_factory(data_dir=data)
    async with EventHubProducerClient.from_connection_string(server.connection_string()) as producer:
        for index in range(10):
            await producer.send_batch([EventData(f"old-{index}")], partition_id="0")
        before = await producer.get_partition_properties("0")
    changed = asyncio.Condition()
    reader = Processor(server.connection_string(), azurite, checkpoints, changed)
    try:
        reader.start()
        await until(changed, lambda: len([e for e in reader.processed if e[0] == "0"]) >= 10)
    finally:
        await reader.stop()

    server.kill()  # SIGKILL: nothing is flushed on the way out
    # Same port: the SDK keys checkpoints by host and port.
    restarted = emulator_factory(data_dir=data, amqp_port=server.amqp_port)
    async with EventHubProducerClient.from_connection_string(restarted.connection_string()) as producer:
        after = await producer.get_partition_properties("0")
        assert after["last_enqueued_sequence_number"] == before["last_enqueued_sequence_number"] == 9
        assert after["last_enqueued_offset"] == before["last_enqueued_offset"]
        for index in range(3):
            await producer.send_batch([EventData(f"new-{index}")], partition_id="0")

    resumed = Processor(restarted.connection_string(), azurite, checkpoints, changed)
    try:
        resumed.start()
        await until(changed, lambda: len([e for e in resumed.processed if e[0] == "0"]) >= 3)
        await asyncio.sleep(1)
    finally:
        await resumed.stop()
    assert [(s, b) for p, s, b in resumed.processed if p == "0"] == [
        (10, "new-0"),
        (11, "new-1"),
        (12, "new-2"),
    ]
