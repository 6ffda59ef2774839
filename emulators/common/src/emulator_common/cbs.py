"""Claims-based security (`$cbs`) put-token decisions, shared by the Service Bus and Event Hubs emulators.

Protocol-neutral: the AMQP layer hands over the request's application properties and body; this module
answers with the status the SDKs expect (202 accepted, 401 refused, 400 malformed) and, on success, the
verified token so the caller can remember which resource the connection may use.

Request properties (both SDKs): ``operation = put-token``, ``type`` (``jwt`` from the Python Service Bus
SDK, ``servicebus.windows.net:sastoken`` elsewhere), ``name`` = the audience, ``expiration``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator_common.sas import SasError, SasToken, SasValidator

# pragma: allowlist nextline secret (an AMQP operation name)
PUT_TOKEN = "put-token"
TOKEN_TYPES = frozenset({"jwt", "servicebus.windows.net:sastoken"})


@dataclass(frozen=True, slots=True)
class CbsResult:
    status_code: int
    description: str
    token: SasToken | None = None
    audience: str | None = None


def put_token(validator: SasValidator, properties: Mapping[Any, Any], body: Any) -> CbsResult:
    """Decide on one `$cbs` request; never raises for anything the client sent."""
    operation = properties.get("operation")
    if operation != PUT_TOKEN:
        return CbsResult(400, f"unsupported $cbs operation {operation!r}")
    token_type = properties.get("type")
    if token_type not in TOKEN_TYPES:
        return CbsResult(400, f"unsupported token type {token_type!r}")
    audience = properties.get("name")
    if not isinstance(audience, str) or not audience:
        return CbsResult(400, "put-token needs the audience in 'name'")
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if not isinstance(body, str):
        return CbsResult(400, "put-token needs the token as the message body")
    try:
        token = validator.verify(body, audience)
    except SasError as error:
        # The reason helps a developer fix the connection string; the token itself is never echoed.
        return CbsResult(401, f"InvalidSignature: {type(error).__name__}: {error}")
    return CbsResult(202, "Accepted", token, str(audience))
