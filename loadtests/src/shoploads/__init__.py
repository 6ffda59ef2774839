"""Contoso Shop load gate: the Locust user mix, saga latency, thresholds and the capacity curve."""
