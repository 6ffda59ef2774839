"""The ``$cbs`` node: claims-based security, where clients put SAS tokens before (and while) they use links.

The decision (202 accepted, 401 refused, 400 malformed) is `emulator_common.cbs.put_token`, shared with the
Service Bus emulator; this module carries it over AMQP, applies ``authenticate`` faults and remembers, per
connection, the resources its tokens grant: producer and consumer links are refused
(``amqp:unauthorized-access``) unless a token of their connection covers their address, as in Azure.
"""

from __future__ import annotations

import logging

from amqp_core.errors import Condition, LinkError
from amqp_core.link import Link, LinkConnection
from amqp_core.management import Request, node_path
from amqp_core.message import AmqpValue, Message
from emulator_common.cbs import put_token
from emulator_common.faults import FaultAction, FaultRegistry
from emulator_common.sas import SasValidator

from eventhubs_emulator.amqp.replies import status_reply

log = logging.getLogger(__name__)

CBS_NODE = "$cbs"


_GRANTED = "eventhubs_emulator.cbs.granted"


def _granted(connection: LinkConnection) -> set[str]:
    granted: set[str] = connection.scoped.setdefault(_GRANTED, set())
    return granted


def authorize(link: Link, node: str) -> None:
    """Refuse the link unless a token put on its connection covers ``node`` (a token for a hub covers its
    partitions and consumer groups; one for the namespace covers everything)."""
    wanted = node.casefold()
    for granted in _granted(link.session.connection):
        if not granted or wanted == granted or wanted.startswith(granted + "/"):
            return
    raise LinkError(Condition.UNAUTHORIZED_ACCESS, f"no valid $cbs token for '{node}'")


class CbsResponder:
    def __init__(self, sas: SasValidator, faults: FaultRegistry) -> None:
        self._sas = sas
        self._faults = faults

    async def __call__(self, request: Request) -> Message:
        properties = request.application_properties
        audience = str(properties.get("name") or "")
        entity = node_path(audience).split("/")[0] or "*"
        fault = self._faults.match(entity, "authenticate")
        if fault is not None and fault.action is FaultAction.ERROR:
            return status_reply(401, fault.description)
        body = request.message.body
        result = put_token(self._sas, properties, body.value if isinstance(body, AmqpValue) else None)
        if result.token is not None:
            _granted(request.link.session.connection).add(node_path(result.token.resource).casefold())
        else:
            log.info("token refused", extra={"audience": audience, "status": result.status_code})
        return status_reply(result.status_code, result.description)
