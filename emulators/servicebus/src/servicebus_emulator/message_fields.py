"""The message fields that rules read: shared by the filters, the SQL engine and the broker's model.

Kept apart so that `filters` (which holds rules with SQL actions), `sql` (which reads messages) and
`model` (which holds rules) import one way: model -> filters -> sql -> message_fields.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

PropertyValue = str | int | float | bool | bytes | uuid.UUID | datetime.datetime | None
"""An application property value, as plain Python (the AMQP layer maps AMQP types to these)."""


class MessageView(Protocol):
    """The message fields a filter may look at."""

    @property
    def message_id(self) -> str: ...
    @property
    def correlation_id(self) -> str | None: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def to(self) -> str | None: ...
    @property
    def reply_to(self) -> str | None: ...
    @property
    def reply_to_session_id(self) -> str | None: ...
    @property
    def session_id(self) -> str | None: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def application_properties(self) -> Mapping[str, Any]: ...
