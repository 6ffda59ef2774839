"""Server side of the SASL layer: ANONYMOUS and PLAIN.

The client opens with the SASL protocol header; the server offers its mechanisms; the client's
sasl-init picks one; the server answers with a sasl-outcome, after which the client starts the AMQP
layer with the AMQP protocol header. Clients that skip SASL and send the AMQP header first (the Python
SDK does against the development emulator) never reach this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from amqp_core.performatives import SASL_AUTH, SASL_OK, SASL_SYS_PERM, SaslInit, SaslMechanisms, SaslOutcome

__all__ = [
    "ANONYMOUS",
    "PLAIN",
    "Authenticator",
    "Credentials",
    "SaslNegotiation",
    "parse_plain",
]

ANONYMOUS = "ANONYMOUS"
PLAIN = "PLAIN"


@dataclasses.dataclass(frozen=True)
class Credentials:
    """What a client presented: the mechanism and, for PLAIN, the identities and password."""

    mechanism: str
    hostname: str | None = None
    authzid: str | None = None
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)


Authenticator = Callable[[Credentials], Awaitable[bool]]


class SaslError(ValueError):
    """The client's SASL frames are malformed."""


def parse_plain(response: bytes) -> tuple[str, str, str]:
    """Split a PLAIN initial response (RFC 4616: ``authzid NUL authcid NUL passwd``)."""
    parts = response.split(b"\x00")
    if len(parts) != 3:
        raise SaslError("PLAIN response needs exactly three NUL-separated fields")
    try:
        authzid, authcid, password = (part.decode("utf-8") for part in parts)
    except UnicodeDecodeError as exc:
        raise SaslError("PLAIN response is not UTF-8") from exc
    if not authcid:
        raise SaslError("PLAIN response has an empty authentication identity")
    return authzid, authcid, password


class SaslNegotiation:
    """One connection's SASL exchange; ``credentials`` is set once it succeeded."""

    def __init__(self, authenticator: Authenticator, mechanisms: tuple[str, ...] = (PLAIN, ANONYMOUS)):
        self._authenticator = authenticator
        self.mechanisms = mechanisms
        self.credentials: Credentials | None = None

    def offer(self) -> SaslMechanisms:
        return SaslMechanisms(sasl_server_mechanisms=self.mechanisms)

    async def handle_init(self, init: SaslInit) -> SaslOutcome:
        """Decide on the client's sasl-init; the outcome code says whether the client may go on."""
        mechanism = str(init.mechanism)
        if mechanism not in self.mechanisms:
            return SaslOutcome(code=SASL_AUTH)
        if mechanism == ANONYMOUS:
            credentials = Credentials(mechanism=ANONYMOUS, hostname=init.hostname)
        else:
            try:
                authzid, username, password = parse_plain(init.initial_response or b"")
            except SaslError:
                return SaslOutcome(code=SASL_SYS_PERM)
            credentials = Credentials(PLAIN, init.hostname, authzid or None, username, password)
        if not await self._authenticator(credentials):
            return SaslOutcome(code=SASL_AUTH)
        self.credentials = credentials
        return SaslOutcome(code=SASL_OK)
