import asyncio

import pytest
from eventhubs_emulator.model import EventPosition, IncomingEvent, PositionKind
from eventhubs_emulator.partition import PartitionLog
from eventhubs_emulator.store import PartitionSnapshot


def filled(times: list[int]) -> PartitionLog:
    log = PartitionLog("hub", "0", PartitionSnapshot())
    for index, when in enumerate(times):
        log.commit(log.stamp([IncomingEvent(b"x" * (10 + index))], when))
    return log


def test_sequence_numbers_start_at_zero_and_offsets_are_byte_positions() -> None:
    log = filled([1000, 1000, 1000])
    assert [(e.sequence_number, e.offset) for e in log.read(0, 10)] == [(0, 0), (1, 10), (2, 21)]


def test_enqueued_time_never_goes_backwards() -> None:
    log = filled([2000, 1000])
    assert [e.enqueued_time_ms for e in log.read(0, 10)] == [2000, 2000]


@pytest.mark.parametrize(
    ("position", "first"),
    [
        (EventPosition.earliest(), 0),
        (EventPosition.latest(), 3),
        (EventPosition(PositionKind.OFFSET, 10, inclusive=True), 1),
        (EventPosition(PositionKind.OFFSET, 10, inclusive=False), 2),
        (EventPosition(PositionKind.OFFSET, 15, inclusive=True), 2),
        (EventPosition(PositionKind.SEQUENCE_NUMBER, 1, inclusive=True), 1),
        (EventPosition(PositionKind.SEQUENCE_NUMBER, 1, inclusive=False), 2),
        (EventPosition(PositionKind.SEQUENCE_NUMBER, 99, inclusive=True), 3),
        (EventPosition(PositionKind.ENQUEUED_TIME, 2000, inclusive=True), 1),
        (EventPosition(PositionKind.ENQUEUED_TIME, 2000, inclusive=False), 2),
        (EventPosition(PositionKind.ENQUEUED_TIME, 0, inclusive=False), 0),
    ],
)
def test_start_of_position(position: EventPosition, first: int) -> None:
    log = filled([1000, 2000, 3000])
    assert log.start_of(position) == first


def test_expire_moves_begin_and_hides_events_from_every_position() -> None:
    log = filled([1000, 2000, 3000])
    assert log.expire(2500) == 2
    assert log.begin_sequence_number == 2
    assert [e.sequence_number for e in log.read(0, 10)] == [2]
    assert log.start_of(EventPosition.earliest()) == 2
    assert log.start_of(EventPosition(PositionKind.SEQUENCE_NUMBER, 0, inclusive=True)) == 2
    assert log.start_of(EventPosition(PositionKind.OFFSET, 0, inclusive=True)) == 2
    assert log.expire(2500) is None


def test_fully_expired_partition_keeps_numbering() -> None:
    log = filled([1000, 1000])
    log.expire(5000)
    info = log.info()
    assert info.is_empty
    assert info.begin_sequence_number == 2
    assert info.last_sequence_number == 1
    (event,) = log.stamp([IncomingEvent(b"y")], 6000)
    assert (event.sequence_number, event.offset) == (2, 21)


def test_never_used_partition_reports_minus_one() -> None:
    info = filled([]).info()
    assert (info.begin_sequence_number, info.last_sequence_number, info.last_offset) == (-1, -1, -1)
    assert info.is_empty


async def test_waiting_reader_is_woken_by_append() -> None:
    log = filled([1000])
    waiter = asyncio.ensure_future(log.wait_beyond(1))
    await asyncio.sleep(0)
    assert not waiter.done()
    log.commit(log.stamp([IncomingEvent(b"z")], 2000))
    await asyncio.wait_for(waiter, 1)
