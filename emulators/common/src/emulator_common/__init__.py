"""Shared machinery of the Azure messaging emulators."""
