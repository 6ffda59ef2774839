"""Contoso Shop monitoring: conventions, Prometheus rules and config, dashboards, Azure Monitor."""
