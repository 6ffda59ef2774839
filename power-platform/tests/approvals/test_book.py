"""Approval rules without HTTP: expiry by the flow's deadline, and state kept across restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from shoppower.approvals.book import AlreadyDecidedError, ApprovalBook, UnknownReleaseError


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def manifest(release_id: str = "rel-1", minutes: int = 30) -> dict[str, Any]:
    return {"releaseId": release_id, "environment": "test", "timeoutMinutes": minutes}


def test_pending_request_expires_at_its_deadline_and_cannot_be_approved_after() -> None:
    clock = Clock()
    book = ApprovalBook(clock=clock)
    book.submit(manifest(minutes=30))
    clock.now += timedelta(minutes=29)
    assert book.get("rel-1").status == "pending"
    clock.now += timedelta(minutes=1)
    expired = book.get("rel-1")
    assert expired.status == "expired"
    assert expired.decidedAt == "2026-12-06T09:30:00Z"
    with pytest.raises(AlreadyDecidedError, match="already expired"):
        book.decide("rel-1", "approved", "late", None)


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "approvals.json"
    ApprovalBook(state).submit(manifest("rel-9"))
    ApprovalBook(state).decide("rel-9", "approved", "rm", "ok")
    again = ApprovalBook(state).get("rel-9")
    assert (again.status, again.approver) == ("approved", "rm")
    with pytest.raises(UnknownReleaseError):
        ApprovalBook(state).get("rel-10")
