"""Settings fail fast on missing or contradictory configuration."""

from __future__ import annotations

from typing import Any

import pytest
from notification_service.settings import Settings
from pydantic import ValidationError

BASE: dict[str, Any] = {
    "environment": "development",
    "eventhub_connection_string": "Endpoint=sb://127.0.0.1:5673;SharedAccessKeyName=k;SharedAccessKey=SAS_KEY_VALUE",
    "checkpoint_connection_string": "UseDevelopmentStorage=true",
    "tables_connection_string": "UseDevelopmentStorage=true",
    "email_transport": "smtp",
    "sms_transport": "mailbox",
}


def make(**overrides: Any) -> Settings:
    values = {k: v for k, v in {**BASE, **overrides}.items() if v is not None}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_settings_accept_a_local_configuration() -> None:
    settings = make()
    assert settings.port == 8004
    assert settings.consumer_group == "notification-service"


def test_settings_require_exactly_one_event_hubs_address() -> None:
    with pytest.raises(ValidationError, match="NOTIFICATION_EVENTHUB_CONNECTION_STRING or"):
        make(eventhub_connection_string=None)


def test_settings_require_an_acs_endpoint_for_acs_transports() -> None:
    with pytest.raises(ValidationError, match="NOTIFICATION_ACS_ENDPOINT"):
        make(email_transport="acs")


def test_settings_refuse_the_mailbox_sms_in_production() -> None:
    with pytest.raises(ValidationError, match="SMS_TRANSPORT=mailbox is refused"):
        make(environment="production")
