"""Offline validators for the Power Platform sources."""
