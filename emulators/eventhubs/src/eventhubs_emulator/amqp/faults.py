"""Carrying out `emulator_common.faults` decisions on links and connections.

| action          | on a link operation                                   |
|-----------------|-------------------------------------------------------|
| error           | the send is rejected / the link detached, with the condition |
| detach          | the link is detached with the condition              |
| link-stolen     | the link is detached with ``amqp:link:stolen``        |
| latency         | the operation waits ``latency_ms`` first, then proceeds |
| drop-connection | the connection is closed (``amqp:connection:forced``) |
"""

from __future__ import annotations

import asyncio

from amqp_core.errors import Condition
from amqp_core.link import Link
from amqp_core.performatives import AmqpError
from emulator_common.faults import Fault, FaultAction

CONNECTION_DROPPED = AmqpError(
    condition=Condition.CONNECTION_FORCED, description="Connection dropped (fault)."
)


async def apply_to_link(fault: Fault | None, link: Link) -> AmqpError | None:
    """Carry out ``fault`` for an operation on ``link``; the error that stops the operation, if any.

    A dropped connection also stops it: the link is going away with its connection.
    """
    if fault is None:
        return None
    if fault.action is FaultAction.LATENCY:
        await asyncio.sleep((fault.latency_ms or 0) / 1000)
        return None
    if fault.action is FaultAction.DROP_CONNECTION:
        link.session.connection.close(CONNECTION_DROPPED)
        return CONNECTION_DROPPED
    if fault.action in (FaultAction.ERROR, FaultAction.DETACH, FaultAction.LINK_STOLEN):
        return AmqpError(condition=fault.condition or Condition.SERVER_BUSY, description=fault.description)
    # Lock loss and duplicate delivery concern Service Bus settlement; Event Hubs has neither.
    return None
