"""Settings helpers: one-of-two validation naming the environment variables, fail-fast loading."""

from __future__ import annotations

import pytest
from pydantic import ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from servicekit.settings import Environment, load_settings, require_exactly_one


class ExampleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIT_TEST_", extra="ignore")

    environment: Environment = Environment.PRODUCTION
    store_connection_string: str | None = None
    store_endpoint: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ExampleSettings:
        require_exactly_one(self, "store_connection_string", "store_endpoint")
        return self


@pytest.mark.parametrize(
    "values", [{}, {"store_connection_string": "UseDevelopmentStorage=true", "store_endpoint": "http://x"}]
)
def test_require_exactly_one_names_both_variables(values: dict[str, str]) -> None:
    expected = "set exactly one of KIT_TEST_STORE_CONNECTION_STRING or KIT_TEST_STORE_ENDPOINT"
    with pytest.raises(ValidationError, match=expected):
        ExampleSettings(**values)


def test_require_exactly_one_accepts_either_one() -> None:
    assert ExampleSettings(store_endpoint="http://x").store_endpoint == "http://x"
    assert ExampleSettings(store_connection_string="c").store_connection_string == "c"


def test_load_settings_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_TEST_STORE_ENDPOINT", "http://127.0.0.1:10002")
    monkeypatch.setenv("KIT_TEST_ENVIRONMENT", "development")

    settings = load_settings(ExampleSettings, "kit-test")

    assert settings.environment is Environment.DEVELOPMENT


def test_load_settings_exits_naming_program_and_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIT_TEST_STORE_ENDPOINT", raising=False)
    monkeypatch.delenv("KIT_TEST_STORE_CONNECTION_STRING", raising=False)

    with pytest.raises(SystemExit) as caught:
        load_settings(ExampleSettings, "kit-test")

    assert str(caught.value.code).startswith("kit-test: invalid configuration")
    assert "KIT_TEST_STORE_ENDPOINT" in str(caught.value.code)
