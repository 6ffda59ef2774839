"""Checks over the repository's code as a whole (see README.md)."""
