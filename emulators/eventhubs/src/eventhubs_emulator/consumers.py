"""Who reads a partition for a consumer group, and with which owner level (epoch).

Azure's rules, per partition and consumer group:
- a receiver with owner level E takes the partition from every receiver without owner level and from
  every receiver with owner level <= E; those are detached (``amqp:link:stolen``);
- a receiver with an owner level lower than the current owner's, or without owner level while an
  owner holds the partition, is refused;
- at most `MAX_NON_EPOCH_RECEIVERS` receivers without owner level read at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from eventhubs_emulator.errors import ReceiverQuotaExceededError, ReceiverRefusedError

MAX_NON_EPOCH_RECEIVERS = 5

ReceiverKey = tuple[str, str, str]
"""(hub, consumer group, partition id), the hub and group in lower case."""


@dataclass(eq=False, slots=True)
class Receiver:
    key: ReceiverKey
    name: str
    owner_level: int | None
    on_stolen: Callable[[str], None]
    id: int = field(default=0)


class ConsumerRegistry:
    def __init__(self) -> None:
        self._receivers: dict[ReceiverKey, list[Receiver]] = {}
        self._ids = itertools.count(1)

    def open(
        self, key: ReceiverKey, name: str, owner_level: int | None, on_stolen: Callable[[str], None]
    ) -> Receiver:
        """Register a receiver, taking the partition from weaker ones; raises when it may not read."""
        current = self._receivers.setdefault(key, [])
        owners = [r.owner_level for r in current if r.owner_level is not None]
        top = max(owners, default=None)
        if owner_level is None:
            if top is not None:
                raise ReceiverRefusedError(
                    f"A receiver with epoch '{top}' already exists on partition '{key[2]}' of consumer group"
                    f" '{key[1]}'; a receiver without epoch cannot be created."
                )
            if len(current) >= MAX_NON_EPOCH_RECEIVERS:
                raise ReceiverQuotaExceededError(
                    f"Exceeded the maximum number of allowed receivers per partition in a consumer group,"
                    f" which is {MAX_NON_EPOCH_RECEIVERS}."
                )
        else:
            if top is not None and top > owner_level:
                raise ReceiverRefusedError(
                    f"Receiver '{name}' with epoch '{owner_level}' cannot be created because a receiver with"
                    f" higher epoch '{top}' exists on partition '{key[2]}' of consumer group '{key[1]}'."
                )
            for stolen in list(current):
                current.remove(stolen)
                stolen.on_stolen(
                    f"New receiver '{name}' with higher epoch of '{owner_level}' is created hence current"
                    f" receiver '{stolen.name}' with epoch '{stolen.owner_level}' is getting disconnected."
                )
        receiver = Receiver(key, name, owner_level, on_stolen, next(self._ids))
        current.append(receiver)
        return receiver

    def close(self, receiver: Receiver) -> None:
        current = self._receivers.get(receiver.key)
        if current is not None and receiver in current:
            current.remove(receiver)
            if not current:
                del self._receivers[receiver.key]

    def receivers(self, key: ReceiverKey) -> list[Receiver]:
        return list(self._receivers.get(key, ()))
