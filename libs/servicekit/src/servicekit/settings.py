"""Helpers for the services' pydantic-settings classes: shared vocabulary and fail-fast loading."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    """The fields every service's settings start with; a service adds its own ``model_config`` (prefix),
    ``port`` (its default and range) and the rest."""

    environment: Environment = Environment.PRODUCTION
    host: str = "127.0.0.1"
    log_level: str = "INFO"


def require_exactly_one(settings: BaseSettings, first: str, second: str) -> None:
    """Raises ValueError unless exactly one of the two fields is set, naming both environment variables
    (a key-based and an identity-based way to reach the same resource, say)."""
    if (getattr(settings, first) is None) == (getattr(settings, second) is None):
        prefix = settings.model_config.get("env_prefix", "")
        raise ValueError(f"set exactly one of {prefix}{first.upper()} or {prefix}{second.upper()}")


def load_settings(settings_cls: type[SettingsT], program: str) -> SettingsT:
    """The settings from the environment, or exit naming every setting at fault."""
    try:
        return settings_cls()
    except ValidationError as exc:
        raise SystemExit(f"{program}: invalid configuration\n{exc}") from None
