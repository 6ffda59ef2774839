"""Carrying out the shared fault rules (`emulator_common.faults`) on the AMQP wire."""

from __future__ import annotations

import asyncio

from amqp_core.errors import AmqpConditionError, Condition, LinkError
from amqp_core.link import Link
from emulator_common.faults import Fault, FaultAction, FaultRegistry


class InjectedFault(AmqpConditionError):  # noqa: N818 - mirrors the fault action, it is an error by nature
    """An ``error`` fault: fail the operation with the rule's condition."""


async def apply(faults: FaultRegistry, entity: str, operation: str, link: Link | None = None) -> Fault | None:
    """Ask the registry about one operation and carry out what it says.

    Latency is awaited here; errors raise (`LinkError` for link-level actions); a dropped connection
    aborts the socket. Actions that need the caller's cooperation (lose-lock, duplicate-delivery) are
    returned for the caller to act on.
    """
    fault = faults.match(entity, operation)
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
        link.session.connection.abort()
        raise LinkError(Condition.CONNECTION_FORCED, fault.description)
    return fault
