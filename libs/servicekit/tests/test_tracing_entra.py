"""Entra ID sign-in for the Application Insights export (APPLICATIONINSIGHTS_AUTHENTICATION_STRING)."""

from __future__ import annotations

from typing import Any

import pytest
from azure.identity import DefaultAzureCredential
from opentelemetry.sdk.resources import Resource
from pydantic import ValidationError
from servicekit import tracing
from servicekit.tracing_settings import TracingSettings

CONNECTION = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (False, None)),
        ("Authorization=AAD", (True, None)),
        (
            "Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555",
            (True, "11111111-2222-3333-4444-555555555555"),
        ),
        (" authorization = aad ; clientid = abc ", (True, "abc")),
    ],
)
def test_the_authentication_string_names_entra_and_the_identity(
    value: str | None, expected: tuple[bool, str | None]
) -> None:
    settings = TracingSettings(applicationinsights_authentication_string=value)
    assert settings.entra_ingestion == expected


@pytest.mark.parametrize("value", ["Authorization=Key", "ClientId=abc", "AAD"])
def test_anything_but_entra_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(ValidationError, match="APPLICATIONINSIGHTS_AUTHENTICATION_STRING"):
        TracingSettings(applicationinsights_authentication_string=value)


def _distro_options(monkeypatch: pytest.MonkeyPatch, settings: TracingSettings) -> dict[str, Any]:
    """The options the distro is called with; the distro itself is replaced, since an Entra token cannot be
    had here (Azure edge)."""
    import azure.monitor.opentelemetry

    seen: dict[str, Any] = {}
    monkeypatch.setattr(azure.monitor.opentelemetry, "configure_azure_monitor", lambda **kw: seen.update(kw))
    tracing._configure_azure_monitor(CONNECTION, settings, Resource.create({}), [])
    return seen


def test_entra_ingestion_gives_the_distro_the_workload_identity_azure_edge_mocked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = TracingSettings(applicationinsights_authentication_string="Authorization=AAD;ClientId=abc")
    options = _distro_options(monkeypatch, settings)
    credential = options["credential"]
    assert isinstance(credential, DefaultAzureCredential)
    assert options["connection_string"] == CONNECTION


def test_without_the_authentication_string_the_distro_gets_no_credential_azure_edge_mocked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert "credential" not in _distro_options(monkeypatch, TracingSettings())
