"""Typed errors of the Event Hubs provider; the protocol layer turns each into an AMQP condition."""

from __future__ import annotations


class EventHubsError(Exception):
    """Base of the provider's errors."""


class HubNotFoundError(EventHubsError):
    def __init__(self, hub: str) -> None:
        super().__init__(f"The messaging entity '{hub}' could not be found.")
        self.hub = hub


class ConsumerGroupNotFoundError(EventHubsError):
    def __init__(self, hub: str, consumer_group: str) -> None:
        super().__init__(f"The consumer group '{consumer_group}' does not exist in event hub '{hub}'.")
        self.hub = hub
        self.consumer_group = consumer_group


class PartitionNotFoundError(EventHubsError):
    def __init__(self, hub: str, partition_id: str) -> None:
        super().__init__(f"The partition '{partition_id}' does not exist in event hub '{hub}'.")
        self.hub = hub
        self.partition_id = partition_id


class EventTooLargeError(EventHubsError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"The event of {size} bytes exceeds the limit of {limit} bytes.")
        self.size = size
        self.limit = limit


class ReceiverRefusedError(EventHubsError):
    """A receiver cannot open: a receiver with a higher owner level (epoch) holds the partition."""


class ReceiverQuotaExceededError(EventHubsError):
    """Too many receivers without owner level on one partition and consumer group."""
