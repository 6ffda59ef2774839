"""Session receivers: accepting a session on attach, as the SDKs expect the answer.

The client names the session (or asks for the next available one with a null value) in the source
filter ``com.microsoft:session-filter``; the attach answer carries the session it got in the same
filter and the session lock's expiry in link property ``com.microsoft:locked-until-utc`` (.NET ticks in
an AMQP long: the Node SDK reads it with ``Long.fromBytesBE``).

Waiting for the next available session happens inside the attach callback, so that connection's other
frames wait too, for up to the client's ``com.microsoft:timeout`` (60 s without one). The Python SDK
opens one connection per receiver; the Node SDK shares one per client, which then stalls meanwhile.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from amqp_core.errors import LinkError
from amqp_core.link import OutgoingLink
from amqp_core.types import Long, Symbol

from servicebus_emulator.amqp.errors import condition_of
from servicebus_emulator.errors import ServiceBusError
from servicebus_emulator.provider import ServiceBusProvider, Target

SESSION_FILTER = "com.microsoft:session-filter"
LOCKED_UNTIL_UTC = "com.microsoft:locked-until-utc"
OPERATION_TIMEOUT = "com.microsoft:timeout"
TIMEOUT_CONDITION = "com.microsoft:timeout"
DEFAULT_ACCEPT_TIMEOUT = 60.0
_TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000
_TICKS_PER_SECOND = 10_000_000


def ticks(seconds: float) -> Long:
    """A Unix time as .NET ticks (100 ns since 0001-01-01), the unit of ``locked-until-utc``."""
    value: Long = Long(_TICKS_AT_UNIX_EPOCH + round(seconds * _TICKS_PER_SECOND))
    return value


def _requested(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def _accept_timeout(link: OutgoingLink) -> float:
    timeout_ms = link.remote_properties.get(OPERATION_TIMEOUT)
    if isinstance(timeout_ms, int) and timeout_ms > 0:
        return timeout_ms / 1000
    return DEFAULT_ACCEPT_TIMEOUT


async def accept_session(
    provider: ServiceBusProvider, target: Target, link: OutgoingLink, requested: Any
) -> str:
    """Lock the requested (or next available) session for ``link`` and set the attach answer.

    Raises LinkError: ``com.microsoft:session-cannot-be-locked`` when another receiver holds the named
    session, ``com.microsoft:timeout`` when no session became available in time.
    """
    session_id = _requested(requested)
    try:
        async with asyncio.timeout(_accept_timeout(link)):
            while (accepted := provider.accept_session(target, session_id, link)) is None:
                await provider.wait_session_change(target)
    except TimeoutError:
        raise LinkError(
            TIMEOUT_CONDITION, f"No session of '{target.address}' became available in time."
        ) from None
    except ServiceBusError as error:
        raise LinkError(condition_of(error)[0], str(error)) from None
    accepted_id, locked_until = accepted
    assert link.source is not None
    filters = {key: value for key, value in (link.source.filter or {}).items() if key != SESSION_FILTER}
    filters[Symbol(SESSION_FILTER)] = accepted_id
    link.source = dataclasses.replace(link.source, filter=filters)
    link.properties = {**(link.properties or {}), Symbol(LOCKED_UNTIL_UTC): ticks(locked_until)}
    return accepted_id
