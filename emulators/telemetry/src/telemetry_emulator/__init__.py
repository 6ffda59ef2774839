"""Local telemetry receiver for Contoso Shop: OTLP/HTTP traces and Application Insights envelopes."""
