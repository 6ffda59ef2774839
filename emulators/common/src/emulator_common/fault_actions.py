"""Carrying out `emulator_common.faults` decisions on `amqp_core` links and connections.

`apply(faults, entity, operation, link)` asks the registry about one operation and carries out the
matched fault; both emulators call it, so a rule behaves the same on either wire:

| action             | what `apply` does                                                          |
|--------------------|----------------------------------------------------------------------------|
| latency            | waits ``latency_ms``, then returns ``None``: the operation proceeds        |
| error              | raises `InjectedFault` with the rule's condition (ServerBusy by default)   |
| detach             | raises `LinkError` with the rule's condition (``amqp:link:detach-forced``) |
| link-stolen        | raises `LinkError` with ``amqp:link:stolen``                               |
| drop-connection    | with a link: drops its connection and raises `ConnectionDropped`           |
| lose-lock, duplicate-delivery, and drop-connection without a link | returned for the caller to act on |

How a connection is dropped is the emulator's choice (`DropStyle`): Service Bus resets the TCP
connection, Event Hubs closes it with ``amqp:connection:forced`` (see each README).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from enum import Enum

from amqp_core.errors import AmqpConditionError, Condition, LinkError
from amqp_core.link import Link
from amqp_core.performatives import AmqpError

from emulator_common.faults import Fault, FaultAction, FaultRegistry

__all__ = ["CONNECTION_DROPPED", "ConnectionDropped", "DropStyle", "InjectedFault", "apply"]

CONNECTION_DROPPED = AmqpError(
    condition=Condition.CONNECTION_FORCED, description="Connection dropped (fault)."
)


class InjectedFault(AmqpConditionError):  # noqa: N818 - mirrors the fault action, it is an error by nature
    """An ``error`` fault: fail the operation with the rule's condition."""


class ConnectionDropped(LinkError):  # noqa: N818 - names what happened to the connection
    """A ``drop-connection`` fault took the link's connection away; nothing more can be sent on it."""


class DropStyle(Enum):
    ABORT = "abort"
    """Reset the TCP connection without a close frame (a network failure)."""
    CLOSE = "close"
    """Send a close frame with ``amqp:connection:forced`` (`CONNECTION_DROPPED`)."""


async def apply(
    faults: FaultRegistry,
    entity: str,
    operation: str,
    link: Link | None = None,
    *,
    drop: DropStyle = DropStyle.ABORT,
    actions: Collection[FaultAction] | None = None,
) -> Fault | None:
    """Ask the registry about one operation and carry out what it says (table in the module docstring).
    ``actions``, when given, limits the rules asked to those actions (`FaultRegistry.match`).

    Returns ``None`` when the operation goes ahead untouched (no fault, or latency already waited),
    the fault itself when it needs the caller's cooperation; raises for the actions that stop it.
    """
    fault = faults.match(entity, operation, actions)
    if fault is None:
        return None
    if fault.action is FaultAction.LATENCY:
        await asyncio.sleep((fault.latency_ms or 0) / 1000)
        return None
    if fault.action is FaultAction.ERROR:
        raise InjectedFault(fault.condition or Condition.SERVER_BUSY, fault.description)
    if fault.action in (FaultAction.DETACH, FaultAction.LINK_STOLEN):
        raise LinkError(fault.condition or Condition.DETACH_FORCED, fault.description)
    if fault.action is FaultAction.DROP_CONNECTION and link is not None:
        connection = link.session.connection
        if drop is DropStyle.CLOSE:
            connection.close(CONNECTION_DROPPED)
            # Frames still go out until the client answers the close: the link's error matches it.
            raise ConnectionDropped(CONNECTION_DROPPED.condition, CONNECTION_DROPPED.description)
        connection.abort()
        raise ConnectionDropped(Condition.CONNECTION_FORCED, fault.description)
    return fault
