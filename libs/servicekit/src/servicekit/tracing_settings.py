"""Where spans go and which are kept: the standard OpenTelemetry / Application Insights environment
variables, read once into one settings object (the ``tracing`` extra).

- ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``: full OTLP/HTTP URL of the traces endpoint (wins over the next);
- ``OTEL_EXPORTER_OTLP_ENDPOINT``: base URL of an OTLP/HTTP receiver, traces go to ``<base>/v1/traces``;
- ``APPLICATIONINSIGHTS_CONNECTION_STRING``: export to Application Insights (Azure Monitor distro);
- ``APPLICATIONINSIGHTS_AUTHENTICATION_STRING``: ``Authorization=AAD[;ClientId=<managed identity>]`` signs
  the export in with Microsoft Entra ID (a component with local authentication disabled needs it);
- ``OTEL_TRACES_SAMPLER`` / ``OTEL_TRACES_SAMPLER_ARG``: the standard sampler names, used with an exporter.
"""

from __future__ import annotations

from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    DEFAULT_ON,
    ParentBased,
    ParentBasedTraceIdRatio,
    Sampler,
    TraceIdRatioBased,
)
from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The standard names (OpenTelemetry SDK environment variable specification); the Azure Monitor distro
# also knows ``microsoft.rate_limited`` / ``microsoft.fixed_percentage``, which it reads itself.
STANDARD_SAMPLERS = frozenset(
    {
        "always_on",
        "always_off",
        "traceidratio",
        "parentbased_always_on",
        "parentbased_always_off",
        "parentbased_traceidratio",
    }
)
AZURE_MONITOR_SAMPLERS = frozenset({"microsoft.rate_limited", "microsoft.fixed_percentage"})


class TracingSettings(BaseSettings):
    """The tracing environment; blank values count as unset (a Kubernetes manifest's ``value: ""``)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    otel_exporter_otlp_endpoint: str | None = None
    otel_exporter_otlp_traces_endpoint: str | None = None
    otel_traces_sampler: str | None = None
    otel_traces_sampler_arg: str | None = None
    applicationinsights_connection_string: SecretStr | None = None
    applicationinsights_authentication_string: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("otel_traces_sampler")
    @classmethod
    def _known_sampler(cls, value: str | None) -> str | None:
        if value is None:
            return None
        name = value.strip().lower()
        if name not in STANDARD_SAMPLERS | AZURE_MONITOR_SAMPLERS:
            known = ", ".join(sorted(STANDARD_SAMPLERS | AZURE_MONITOR_SAMPLERS))
            raise ValueError(f"OTEL_TRACES_SAMPLER={value!r} is not one of {known}")
        return name

    @field_validator("otel_traces_sampler_arg")
    @classmethod
    def _ratio(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                float(value)
            except ValueError:
                raise ValueError(f"OTEL_TRACES_SAMPLER_ARG={value!r} is not a number") from None
        return value

    @property
    def otlp_traces_endpoint(self) -> str | None:
        """The URL spans are posted to over OTLP/HTTP, or None when no OTLP receiver is configured."""
        if self.otel_exporter_otlp_traces_endpoint is not None:
            return self.otel_exporter_otlp_traces_endpoint
        if self.otel_exporter_otlp_endpoint is not None:
            return self.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
        return None

    @field_validator("applicationinsights_authentication_string")
    @classmethod
    def _entra_only(cls, value: str | None) -> str | None:
        if value is not None and _fields(value).get("authorization", "").lower() != "aad":
            raise ValueError(
                f"APPLICATIONINSIGHTS_AUTHENTICATION_STRING={value!r} is not Authorization=AAD[;ClientId=...]"
            )
        return value

    @property
    def entra_ingestion(self) -> tuple[bool, str | None]:
        """(sign the export in with Entra ID, the managed identity's client id or None for the default)."""
        value = self.applicationinsights_authentication_string
        if value is None:
            return False, None
        return True, _fields(value).get("clientid") or None

    @property
    def exports(self) -> bool:
        return self.otlp_traces_endpoint is not None or self.applicationinsights_connection_string is not None

    def sampler(self) -> Sampler:
        """The configured standard sampler, parentbased_always_on by default (used when spans export;
        without an exporter no tracer provider is set at all)."""
        name = self.otel_traces_sampler
        ratio = float(self.otel_traces_sampler_arg) if self.otel_traces_sampler_arg is not None else 1.0
        if name == "always_on":
            return ALWAYS_ON
        if name == "always_off":
            return ALWAYS_OFF
        if name == "traceidratio":
            return TraceIdRatioBased(ratio)
        if name == "parentbased_always_off":
            return ParentBased(ALWAYS_OFF)
        if name == "parentbased_traceidratio":
            return ParentBasedTraceIdRatio(ratio)
        return DEFAULT_ON


def _fields(authentication_string: str) -> dict[str, str]:
    """``Authorization=AAD;ClientId=...`` as {"authorization": "AAD", "clientid": "..."}."""
    pairs = (part.split("=", 1) for part in authentication_string.split(";") if "=" in part)
    return {key.strip().lower(): value.strip() for key, value in pairs}
