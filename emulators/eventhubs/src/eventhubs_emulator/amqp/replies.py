"""The reply of the emulator's request/response nodes (``$cbs``, ``$management``): the outcome in the
``status-code`` / ``status-description`` application properties, any result as the AMQP value body."""

from __future__ import annotations

from typing import Any

from amqp_core.message import AmqpValue, Message
from amqp_core.types import Int


def status_reply(status: int, description: str, body: Any = None) -> Message:
    return Message(
        application_properties={"status-code": Int(status), "status-description": description},
        body=AmqpValue(body),
    )
