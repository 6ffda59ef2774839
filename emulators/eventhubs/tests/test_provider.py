import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from eventhubs_emulator.errors import (
    ConsumerGroupNotFoundError,
    EventTooLargeError,
    HubNotFoundError,
    PartitionNotFoundError,
)
from eventhubs_emulator.hashing import partition_for_key
from eventhubs_emulator.model import EventPosition, IncomingEvent


def test_send_to_explicit_partition(factory) -> None:
    provider = factory.provider()
    result = provider.send("order-events", factory.events(b"a", b"b"), partition_id="2")
    assert result.partition_id == "2"
    assert [e.sequence_number for e in result.events] == [0, 1]
    assert provider.partition_info("order-events", "2").last_sequence_number == 1


def test_send_with_partition_key_lands_where_the_service_hashes_it(factory) -> None:
    provider = factory.provider()
    for key in ("order-1", "order-2", "order-3", "7"):
        result = provider.send("order-events", factory.events(b"x", key=key), partition_key=key)
        assert result.partition_id == str(partition_for_key(key, 4))


def test_send_without_partition_or_key_goes_round_robin(factory) -> None:
    provider = factory.provider()
    partitions = [provider.send("order-events", factory.events(b"x")).partition_id for _ in range(8)]
    assert partitions == ["0", "1", "2", "3", "0", "1", "2", "3"]


def test_hub_names_are_case_insensitive(factory) -> None:
    provider = factory.provider()
    assert provider.hub_info("ORDER-EVENTS").name == "order-events"


def test_unknown_hub_partition_and_consumer_group_raise_typed_errors(factory) -> None:
    provider = factory.provider()
    with pytest.raises(HubNotFoundError):
        provider.send("nope", factory.events(b"x"))
    with pytest.raises(PartitionNotFoundError):
        provider.send("order-events", factory.events(b"x"), partition_id="4")
    with pytest.raises(PartitionNotFoundError):
        provider.partition_info("order-events", "-1")
    with pytest.raises(ConsumerGroupNotFoundError):
        provider.receiver_key("order-events", "nobody", "0")


def test_send_larger_than_max_event_size_is_refused_and_stores_nothing(factory) -> None:
    provider = factory.provider(factory.namespace(factory.hub(max_event_size=1024)))
    with pytest.raises(EventTooLargeError):
        provider.send("order-events", factory.events(b"x" * 600, b"y" * 600), partition_id="0")
    assert provider.partition_info("order-events", "0").is_empty


def test_retention_removes_expired_events_from_reads_and_info(factory) -> None:
    provider = factory.provider(factory.namespace(factory.hub(retention=timedelta(hours=1))))
    provider.send("order-events", factory.events(b"old"), partition_id="0")
    factory.clock.advance(1800)
    provider.send("order-events", factory.events(b"new"), partition_id="0")
    factory.clock.advance(1801)
    info = provider.partition_info("order-events", "0")
    assert (info.begin_sequence_number, info.last_sequence_number, info.event_count) == (1, 1, 1)
    start = provider.start_of("order-events", "0", EventPosition.earliest())
    assert [e.payload for e in provider.read("order-events", "0", start, 10)] == [b"new"]
    assert [e.payload for e in provider.read("order-events", "0", 0, 10)] == [b"new"]


async def test_wait_beyond_returns_when_an_event_arrives(factory) -> None:
    provider = factory.provider()
    waiter = asyncio.ensure_future(provider.wait_beyond("order-events", "1", 0))
    await asyncio.sleep(0.01)
    assert not waiter.done()
    provider.send("order-events", factory.events(b"x"), partition_id="1")
    await asyncio.wait_for(waiter, 1)


async def test_sqlite_store_keeps_numbers_offsets_and_times_across_restart(factory, tmp_path: Path) -> None:
    first = factory.sqlite_provider(tmp_path)
    sent = first.send("order-events", [IncomingEvent(b"a", "k"), IncomingEvent(b"bb", "k")], partition_id="3")
    await factory.close(first)
    factory.clock.advance(5)
    second = factory.sqlite_provider(tmp_path)
    assert second.read("order-events", "3", 0, 10) == sent.events
    more = second.send("order-events", factory.events(b"c"), partition_id="3")
    assert (more.events[0].sequence_number, more.events[0].offset) == (2, 3)


async def test_sqlite_store_continues_numbering_after_everything_expired(factory, tmp_path: Path) -> None:
    settings = factory.namespace(factory.hub(retention=timedelta(minutes=1)))
    first = factory.sqlite_provider(tmp_path, settings)
    first.send("order-events", factory.events(b"a", b"b"), partition_id="0")
    factory.clock.advance(120)
    first.expire_all()
    await factory.close(first)
    second = factory.sqlite_provider(tmp_path, settings)
    info = second.partition_info("order-events", "0")
    assert (info.is_empty, info.begin_sequence_number, info.last_sequence_number) == (True, 2, 1)
    assert second.send("order-events", factory.events(b"c"), partition_id="0").events[0].sequence_number == 2
