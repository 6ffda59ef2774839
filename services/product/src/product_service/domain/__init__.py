"""Catalog and stock-reservation rules. Pure Python: no SDK, no HTTP, no environment."""
