"""Event Hubs link addresses and the selector filter that says where a consumer starts.

Addresses arrive as URLs (``amqps://host:port/hub/ConsumerGroups/$Default/Partitions/0``) or bare paths;
the path segments ``ConsumerGroups`` and ``Partitions`` are matched case-insensitively, as Azure does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from amqp_core.management import node_path

from eventhubs_emulator.model import EventPosition, PositionKind

SELECTOR_FILTER = "apache.org:selector-filter:string"

_SELECTOR = re.compile(
    r"^\s*amqp\.annotation\.(?P<field>x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)"
    r"\s*(?P<operator>>=|>)\s*'(?P<value>[^']*)'\s*$",
    re.IGNORECASE,
)


class AddressError(ValueError):
    """An address or filter the emulator cannot serve."""


@dataclass(frozen=True, slots=True)
class ProducerAddress:
    hub: str
    partition_id: str | None


@dataclass(frozen=True, slots=True)
class ConsumerAddress:
    hub: str
    consumer_group: str
    partition_id: str


def parse_producer(address: str | None) -> ProducerAddress:
    parts = node_path(address).split("/")
    if len(parts) == 1 and parts[0]:
        return ProducerAddress(parts[0], None)
    if len(parts) == 3 and parts[0] and parts[1].casefold() == "partitions":
        return ProducerAddress(parts[0], parts[2])
    raise AddressError(f"'{address}' is not an event hub address ('<hub>' or '<hub>/Partitions/<id>')")


def parse_consumer(address: str | None) -> ConsumerAddress:
    parts = node_path(address).split("/")
    if (
        len(parts) == 5
        and parts[0]
        and parts[1].casefold() == "consumergroups"
        and parts[3].casefold() == "partitions"
    ):
        return ConsumerAddress(parts[0], parts[2], parts[4])
    raise AddressError(
        f"'{address}' is not a consumer address ('<hub>/ConsumerGroups/<group>/Partitions/<id>')"
    )


def parse_selector(expression: str | None) -> EventPosition:
    """``amqp.annotation.x-opt-offset > '-1'`` → a position; no filter reads from the start."""
    if expression is None:
        return EventPosition.earliest()
    match = _SELECTOR.match(expression)
    if match is None:
        raise AddressError(f"unsupported selector filter {expression!r}")
    field = match["field"].lower()
    inclusive = match["operator"] == ">="
    value = match["value"]
    if field == "x-opt-offset" and value == "@latest":
        return EventPosition.latest()
    try:
        number = int(value)
    except ValueError:
        raise AddressError(f"{field} must be an integer in the selector filter, got {value!r}") from None
    if field == "x-opt-offset":
        if number == -1:
            return EventPosition.earliest()
        if number < 0:
            raise AddressError(f"offset {number} is not valid")
        return EventPosition(PositionKind.OFFSET, number, inclusive)
    if field == "x-opt-sequence-number":
        return EventPosition(PositionKind.SEQUENCE_NUMBER, number, inclusive)
    return EventPosition(PositionKind.ENQUEUED_TIME, number, inclusive)
