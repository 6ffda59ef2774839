"""Owner levels (epochs) through the SDK: a higher one steals the partition, a lower one is refused."""

import asyncio
from typing import Any

from azure.eventhub import EventData
from azure.eventhub.aio import EventHubConsumerClient, EventHubProducerClient
from emulator_common.testing import close_receiving


class Reader:
    """A consumer client reading partition 0 with an owner level, keeping its events and errors."""

    def __init__(self, connection_string: str, owner_level: int) -> None:
        self.client = EventHubConsumerClient.from_connection_string(connection_string, "analytics")
        self.owner_level = owner_level
        self.events: list[EventData] = []
        self.errors: list[Exception] = []
        self.got_event = asyncio.Event()
        self.got_error = asyncio.Event()
        self.task: asyncio.Task[Any] | None = None

    async def _on_event(self, context: Any, event: EventData | None) -> None:
        if event is not None:
            self.events.append(event)
            self.got_event.set()

    async def _on_error(self, context: Any, error: Exception) -> None:
        self.errors.append(error)
        self.got_error.set()

    def start(self) -> None:
        self.task = asyncio.create_task(
            self.client.receive(
                self._on_event,
                on_error=self._on_error,
                partition_id="0",
                owner_level=self.owner_level,
                starting_position="@latest",
            )
        )

    async def stop(self) -> None:
        await close_receiving(self.client, self.task)
        assert self.task is not None


async def send(connection_string: str, body: str) -> None:
    async with EventHubProducerClient.from_connection_string(connection_string) as producer:
        await producer.send_batch([EventData(body)], partition_id="0")


async def test_higher_owner_level_steals_and_lower_is_refused(emulator) -> None:
    cs = emulator.connection_string()
    first, second, late = Reader(cs, 1), Reader(cs, 2), Reader(cs, 1)
    try:
        first.start()
        await asyncio.sleep(2)
        await send(cs, "to-first")
        await asyncio.wait_for(first.got_event.wait(), 15)

        second.start()
        await asyncio.wait_for(first.got_error.wait(), 15)
        assert "stolen" in str(first.errors[0]).lower() or "epoch" in str(first.errors[0]).lower()
        await asyncio.sleep(1)
        await send(cs, "to-second")
        await asyncio.wait_for(second.got_event.wait(), 15)
        assert [e.body_as_str() for e in second.events] == ["to-second"]
        assert [e.body_as_str() for e in first.events] == ["to-first"]

        late.start()
        await asyncio.wait_for(late.got_error.wait(), 15)
        assert "epoch" in str(late.errors[0]).lower()
        assert second.errors == []
    finally:
        for reader in (first, second, late):
            await reader.stop()
