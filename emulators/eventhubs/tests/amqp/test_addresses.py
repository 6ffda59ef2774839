import pytest
from eventhubs_emulator.amqp.addresses import (
    AddressError,
    ConsumerAddress,
    ProducerAddress,
    parse_consumer,
    parse_producer,
    parse_selector,
)
from eventhubs_emulator.model import EventPosition, PositionKind


def test_producer_addresses_with_and_without_partition() -> None:
    assert parse_producer("amqps://127.0.0.1:5673/order-events") == ProducerAddress("order-events", None)
    assert parse_producer("order-events/Partitions/3") == ProducerAddress("order-events", "3")


def test_consumer_address_segments_are_case_insensitive() -> None:
    address = "amqps://127.0.0.1:5673/order-events/consumergroups/$Default/partitions/1"
    assert parse_consumer(address) == ConsumerAddress("order-events", "$Default", "1")


@pytest.mark.parametrize("address", ["", "hub/Partitions", "hub/ConsumerGroups/cg", "hub/x/cg/Partitions/0"])
def test_malformed_addresses_are_refused(address: str) -> None:
    with pytest.raises(AddressError):
        parse_consumer(address)


@pytest.mark.parametrize(
    ("expression", "position"),
    [
        (None, EventPosition.earliest()),
        ("amqp.annotation.x-opt-offset > '-1'", EventPosition.earliest()),
        ("amqp.annotation.x-opt-offset > '@latest'", EventPosition.latest()),
        ("amqp.annotation.x-opt-offset >= '120'", EventPosition(PositionKind.OFFSET, 120, True)),
        ("amqp.annotation.x-opt-offset > '120'", EventPosition(PositionKind.OFFSET, 120, False)),
        (
            "amqp.annotation.x-opt-sequence-number > '7'",
            EventPosition(PositionKind.SEQUENCE_NUMBER, 7, False),
        ),
        (
            "amqp.annotation.x-opt-sequence-number >= '7'",
            EventPosition(PositionKind.SEQUENCE_NUMBER, 7, True),
        ),
        (
            "amqp.annotation.x-opt-enqueued-time > '1700000000000'",
            EventPosition(PositionKind.ENQUEUED_TIME, 1_700_000_000_000, False),
        ),
    ],
)
def test_selector_filter_positions(expression: str | None, position: EventPosition) -> None:
    assert parse_selector(expression) == position


@pytest.mark.parametrize(
    "expression",
    ["amqp.annotation.x-opt-offset < '3'", "amqp.annotation.x-opt-offset > 'abc'", "x-opt-offset > '1'"],
)
def test_unsupported_selectors_are_refused(expression: str) -> None:
    with pytest.raises(AddressError):
        parse_selector(expression)
