"""Errors the ops commands stop with: one clear line for a human, and the exit code that goes with it."""

from __future__ import annotations


class OpsError(Exception):
    """Refused input or a failed operation; `str()` is the one line printed before exiting."""

    exit_code = 1


class RefusedInputError(OpsError):
    """An unknown environment, a missing or malformed manifest, a missing variable."""

    exit_code = 2


class AzureLoginError(OpsError):
    """`az` is not logged in, or its token expired and could not be renewed."""

    exit_code = 3


class RolloutFailedError(OpsError):
    """A deployment did not become ready in time; the pipeline rolls back on this."""

    exit_code = 4
