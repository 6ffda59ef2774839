"""Message providers: each turns an interaction's description (and its provider states) into the message
the provider really produces, with the metadata it really puts on the wire, for the Pact core to compare.

Metadata keys are camelCase names of the AMQP properties (``contentType``, ``messageId``,
``correlationId``, ``subject``, ``partitionKey``), application properties under their own names
(``type``, ``version``, ``traceparent``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pact.types import Message

MessageProducer = Callable[[str, dict[str, Any]], Message]
"""(description, the relay's request: ``providerStates`` ...) -> the message."""


class UnknownMessageError(LookupError):
    def __init__(self, provider: str, description: str, known: list[str]) -> None:
        super().__init__(
            f"provider {provider!r} produces no message described as {description!r} "
            f"(it knows: {', '.join(known) or 'none'})"
        )
