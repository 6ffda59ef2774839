"""The service's configuration, read once from the environment (prefix ``NOTIFICATION_``), validated at
start. A missing or contradictory setting stops the process before it reads a single event."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict
from servicekit.contracts import check_contracts_dir, default_contracts_dir
from servicekit.settings import Environment, ServiceSettings, require_exactly_one

__all__ = ["EmailTransport", "Environment", "Settings", "SmsTransport"]


class EmailTransport(StrEnum):
    SMTP = "smtp"
    ACS = "acs"


class SmsTransport(StrEnum):
    MAILBOX = "mailbox"
    ACS = "acs"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATION_", env_file=".env", extra="ignore")

    port: int = Field(default=8004, ge=0, le=65535)
    shutdown_grace_seconds: float = Field(default=10.0, gt=0)

    eventhub_connection_string: SecretStr | None = None
    eventhub_namespace: str | None = None
    eventhub_name: str = "order-events"
    consumer_group: str = "notification-service"

    checkpoint_connection_string: SecretStr | None = None
    checkpoint_account_url: str | None = None
    checkpoint_container: str = "notification-checkpoints"
    # A checkpoint is a Blob write; after a crash at most this many events (plus a batch) are read again,
    # and only those cost a log read each (domain/redelivery.py).
    checkpoint_every_events: int = Field(default=100, ge=1)
    checkpoint_every_seconds: float = Field(default=5.0, gt=0)
    # Events handed over per partition at a time (as many as are ready, up to this many).
    receive_batch_size: int = Field(default=50, ge=1, le=1000)
    # How often instances rebalance partitions, and how long a silent instance's claim lasts (the SDK's
    # default is 6 x the interval): a replacement for a killed instance starts reading after that long.
    load_balancing_seconds: float = Field(default=10.0, gt=0)
    ownership_expiration_seconds: float = Field(default=60.0, gt=0)

    tables_connection_string: SecretStr | None = None
    tables_endpoint: str | None = None
    log_table: str = "notifications"

    email_transport: EmailTransport = EmailTransport.ACS
    email_from: str = "orders@contoso-shop.example"
    email_from_name: str = "Contoso Shop"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=2525, ge=1, le=65535)
    smtp_start_tls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None

    sms_transport: SmsTransport = SmsTransport.ACS
    sms_from: str = "ContosoShop"
    mailbox_url: str = "http://127.0.0.1:8025"

    acs_endpoint: str | None = None
    acs_connection_string: SecretStr | None = None

    send_retry_base_seconds: float = Field(default=0.5, gt=0)
    send_retry_max_seconds: float = Field(default=30.0, gt=0)

    shop_name: str = "Contoso Shop"
    shop_url: str = "http://127.0.0.1:8080/"
    contracts_dir: Path = Field(default_factory=default_contracts_dir)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        require_exactly_one(self, "eventhub_connection_string", "eventhub_namespace")
        require_exactly_one(self, "checkpoint_connection_string", "checkpoint_account_url")
        require_exactly_one(self, "tables_connection_string", "tables_endpoint")
        uses_acs = self.email_transport is EmailTransport.ACS or self.sms_transport is SmsTransport.ACS
        if uses_acs and self.acs_endpoint is None and self.acs_connection_string is None:
            raise ValueError(
                "NOTIFICATION_ACS_ENDPOINT (or NOTIFICATION_ACS_CONNECTION_STRING) is required for acs"
            )
        if self.environment is Environment.PRODUCTION and self.sms_transport is SmsTransport.MAILBOX:
            raise ValueError(
                "NOTIFICATION_SMS_TRANSPORT=mailbox is refused when NOTIFICATION_ENVIRONMENT=production"
            )
        check_contracts_dir(self.contracts_dir, "NOTIFICATION_CONTRACTS_DIR")
        return self
