"""Typed errors of the Event Hubs provider; the protocol layer turns each into an AMQP condition."""

from __future__ import annotations

import dataclasses
from typing import ClassVar


class EventHubsError(Exception):
    """Base of the provider's errors."""


class _DescribedError(EventHubsError):
    """An error whose message is ``template`` filled in with its fields (the dataclass fields of the
    subclass); ``str(error)`` and ``error.args`` are that message."""

    template: ClassVar[str]

    def __post_init__(self) -> None:
        super().__init__(self.template.format_map(vars(self)))


@dataclasses.dataclass(eq=False, repr=False)
class HubNotFoundError(_DescribedError):
    template = "The messaging entity '{hub}' could not be found."
    hub: str


@dataclasses.dataclass(eq=False, repr=False)
class ConsumerGroupNotFoundError(_DescribedError):
    template = "The consumer group '{consumer_group}' does not exist in event hub '{hub}'."
    hub: str
    consumer_group: str


@dataclasses.dataclass(eq=False, repr=False)
class PartitionNotFoundError(_DescribedError):
    template = "The partition '{partition_id}' does not exist in event hub '{hub}'."
    hub: str
    partition_id: str


@dataclasses.dataclass(eq=False, repr=False)
class EventTooLargeError(_DescribedError):
    template = "The event of {size} bytes exceeds the limit of {limit} bytes."
    size: int
    limit: int


class ReceiverRefusedError(EventHubsError):
    """A receiver cannot open: a receiver with a higher owner level (epoch) holds the partition."""


class ReceiverQuotaExceededError(EventHubsError):
    """Too many receivers without owner level on one partition and consumer group."""
