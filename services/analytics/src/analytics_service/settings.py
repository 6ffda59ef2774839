"""Settings, from ANALYTICS_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict
from servicekit.contracts import check_contracts_dir, default_contracts_dir
from servicekit.settings import ServiceSettings, require_exactly_one


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANALYTICS_", env_file=".env", extra="ignore")

    port: int = Field(default=8005, ge=0, le=65535)
    eventhub_connection_string: str | None = None
    eventhub_namespace: str | None = None
    """Fully qualified namespace for managed identity (Azure)."""
    eventhub_name: str = "order-events"
    consumer_group: str = "analytics"
    checkpoint_connection_string: str | None = None
    checkpoint_account_url: str | None = None
    checkpoint_container: str = "analytics-checkpoints"
    powerbi_url: str = "https://api.powerbi.com/v1.0/myorg"
    powerbi_dataset: str = "Contoso Shop operations"
    powerbi_use_identity: bool = True
    """Azure: an Entra ID token for the Power BI API; locally (the stand-in) no token."""
    max_batch_size: int = Field(default=200, ge=1, le=10_000)
    max_wait_seconds: float = Field(default=2.0, gt=0)
    contracts_dir: Path = Field(default_factory=default_contracts_dir)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        require_exactly_one(self, "eventhub_connection_string", "eventhub_namespace")
        require_exactly_one(self, "checkpoint_connection_string", "checkpoint_account_url")
        check_contracts_dir(self.contracts_dir, "ANALYTICS_CONTRACTS_DIR")
        return self
