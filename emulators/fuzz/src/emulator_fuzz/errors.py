"""What a target raises when a parser misbehaves without an exception of its own."""

from __future__ import annotations


class FuzzFindingError(AssertionError):
    """A parser returned, but broke a property its documentation promises (round trip, time bound ...)."""
