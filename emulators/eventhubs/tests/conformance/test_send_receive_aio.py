"""The asyncio SDK clients against the emulator: every send mode and every start position."""

import asyncio
import datetime
from typing import Any

import pytest
from azure.eventhub import EventData
from azure.eventhub.aio import EventHubConsumerClient, EventHubProducerClient
from emulator_common.testing import close_receiving
from eventhubs_emulator.hashing import partition_for_key


async def receive(
    connection_string: str,
    partition_id: str,
    count: int,
    starting_position: Any,
    *,
    inclusive: bool = False,
    consumer_group: str = "$Default",
    **options: Any,
) -> list[EventData]:
    received: list[EventData] = []
    enough = asyncio.Event()

    async def on_event(context, event) -> None:
        if event is not None:
            received.append(event)
        if len(received) >= count:
            enough.set()

    consumer = EventHubConsumerClient.from_connection_string(connection_string, consumer_group)
    task = asyncio.create_task(
        consumer.receive(
            on_event,
            partition_id=partition_id,
            starting_position=starting_position,
            starting_position_inclusive=inclusive,
            **options,
        )
    )
    try:
        await asyncio.wait_for(enough.wait(), 15)
    finally:
        await close_receiving(consumer, task)
    return received


async def last_sequence_number(producer: EventHubProducerClient, partition_id: str) -> int:
    return int((await producer.get_partition_properties(partition_id))["last_enqueued_sequence_number"])


async def send(connection_string: str, bodies: list[str], **batch_options: Any) -> dict[str, Any]:
    """Send one batch; the target partition's properties from before the send."""
    async with EventHubProducerClient.from_connection_string(connection_string) as producer:
        partition = batch_options.get("partition_id") or "0"
        before = await producer.get_partition_properties(partition)
        batch = await producer.create_batch(**batch_options)
        for body in bodies:
            batch.add(EventData(body))
        await producer.send_batch(batch)
    return before


async def test_batch_to_explicit_partition_is_stamped(emulator) -> None:
    cs = emulator.connection_string()
    before = await send(cs, ["a", "b", "c"], partition_id="0")
    last = before["last_enqueued_sequence_number"]
    events = await receive(cs, "0", 3, last)
    assert [e.body_as_str() for e in events] == ["a", "b", "c"]
    assert [e.sequence_number for e in events] == [last + 1, last + 2, last + 3]
    offsets = [int(e.offset) for e in events]
    assert offsets == sorted(offsets)
    assert len(set(offsets)) == 3
    assert all(isinstance(e.enqueued_time, datetime.datetime) for e in events)
    assert all(e.partition_key is None for e in events)


async def test_partition_key_batch_lands_on_the_hashed_partition(emulator) -> None:
    cs = emulator.connection_string()
    partition = str(partition_for_key("order-42", 4))
    async with EventHubProducerClient.from_connection_string(cs) as producer:
        before = await producer.get_partition_properties(partition)
        batch = await producer.create_batch(partition_key="order-42")
        batch.add(EventData("keyed"))
        await producer.send_batch(batch)
    event = (await receive(cs, partition, 1, before["last_enqueued_sequence_number"]))[0]
    assert event.body_as_str() == "keyed"
    assert event.partition_key == b"order-42"


async def test_send_event_with_partition_key_and_round_robin(emulator) -> None:
    cs = emulator.connection_string()
    async with EventHubProducerClient.from_connection_string(cs) as producer:
        before = [await last_sequence_number(producer, p) for p in "0123"]
        await producer.send_event(EventData("single-keyed"), partition_key="customer-7")
        for index in range(4):
            await producer.send_batch([EventData(f"rr-{index}")])
        after = [await last_sequence_number(producer, p) for p in "0123"]
    grown = [b - a for a, b in zip(before, after, strict=True)]
    assert sum(grown) == 5
    assert all(growth >= 1 for growth in grown)  # four unkeyed batches went round the four partitions


@pytest.mark.parametrize("inclusive", [True, False])
async def test_start_from_sequence_number(emulator, inclusive: bool) -> None:
    cs = emulator.connection_string()
    before = await send(cs, ["s0", "s1", "s2"], partition_id="1")
    first = before["last_enqueued_sequence_number"] + 1
    events = await receive(cs, "1", 2, first, inclusive=inclusive)
    expected = ["s0", "s1"] if inclusive else ["s1", "s2"]
    assert [e.body_as_str() for e in events[:2]] == expected


@pytest.mark.parametrize("inclusive", [True, False])
async def test_start_from_offset(emulator, inclusive: bool) -> None:
    cs = emulator.connection_string()
    before = await send(cs, ["o0", "o1", "o2"], partition_id="2")
    sent = await receive(cs, "2", 3, before["last_enqueued_sequence_number"])
    events = await receive(cs, "2", 2, sent[0].offset, inclusive=inclusive)
    expected = ["o0", "o1"] if inclusive else ["o1", "o2"]
    assert [e.body_as_str() for e in events[:2]] == expected


async def test_start_from_earliest_reads_the_first_event(emulator) -> None:
    cs = emulator.connection_string()
    await send(cs, ["earliest"], partition_id="3")
    events = await receive(cs, "3", 1, "-1")
    assert events[0].sequence_number == 0


async def test_start_from_latest_gets_only_new_events(emulator) -> None:
    cs = emulator.connection_string()
    await send(cs, ["old"], partition_id="0")
    receiving = asyncio.create_task(receive(cs, "0", 1, "@latest"))
    await asyncio.sleep(2)
    await send(cs, ["new"], partition_id="0")
    events = await receiving
    assert [e.body_as_str() for e in events] == ["new"]


async def test_start_from_enqueued_time(emulator) -> None:
    cs = emulator.connection_string()
    await send(cs, ["before"], partition_id="1")
    await asyncio.sleep(0.05)
    cutoff = datetime.datetime.now(datetime.UTC)
    await asyncio.sleep(0.05)
    await send(cs, ["after"], partition_id="1")
    events = await receive(cs, "1", 1, cutoff)
    assert [e.body_as_str() for e in events] == ["after"]


async def test_runtime_metrics_describe_the_last_enqueued_event(emulator) -> None:
    cs = emulator.connection_string()
    before = await send(cs, ["m0", "m1"], partition_id="2")
    consumer = EventHubConsumerClient.from_connection_string(cs, "notification-service")
    seen: list[dict[str, Any]] = []
    done = asyncio.Event()

    async def on_event(context, event) -> None:
        seen.append(context.last_enqueued_event_properties)
        done.set()

    task = asyncio.create_task(
        consumer.receive(
            on_event,
            partition_id="2",
            starting_position=before["last_enqueued_sequence_number"],
            track_last_enqueued_event_properties=True,
        )
    )
    try:
        await asyncio.wait_for(done.wait(), 15)
    finally:
        await close_receiving(consumer, task)
    metrics = seen[0]
    assert metrics["sequence_number"] == before["last_enqueued_sequence_number"] + 2
    assert int(metrics["offset"]) > 0
    assert metrics["enqueued_time"] is not None
    assert metrics["retrieval_time"] is not None
