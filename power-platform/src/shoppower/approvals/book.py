"""Approval requests and their decisions: the rules the flow applies, kept in memory and in a JSON file."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

Status = Literal["pending", "approved", "rejected", "expired"]
DEFAULT_TIMEOUT_MINUTES = 1440


class UnknownReleaseError(LookupError):
    def __init__(self, release_id: str) -> None:
        super().__init__(f"no approval request for release {release_id!r}")
        self.release_id = release_id


class AlreadyDecidedError(RuntimeError):
    def __init__(self, release_id: str, status: str) -> None:
        super().__init__(f"release {release_id!r} is already {status}")
        self.release_id = release_id
        self.status = status


class ManifestConflictError(RuntimeError):
    def __init__(self, release_id: str) -> None:
        super().__init__(f"release {release_id!r} was already submitted with a different manifest")
        self.release_id = release_id


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class ApprovalRequest:
    releaseId: str  # noqa: N815 - the wire names of the contract
    environment: str
    status: Status
    requestedAt: str  # noqa: N815
    expiresAt: str  # noqa: N815
    manifest: dict[str, Any]
    approver: str | None = None
    comment: str | None = None
    decidedAt: str | None = None  # noqa: N815

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


class ApprovalBook:
    """Thread-safe store; a pending request past its deadline turns ``expired`` when next read."""

    def __init__(self, state_file: Path | None = None, clock: Clock = _now) -> None:
        self._state_file = state_file
        self._clock = clock
        self._lock = threading.Lock()
        self._requests: dict[str, ApprovalRequest] = {}
        if state_file is not None and state_file.exists():
            for item in json.loads(state_file.read_text(encoding="utf-8")):
                request = ApprovalRequest(**item)
                self._requests[request.releaseId] = request

    def submit(self, manifest: dict[str, Any]) -> tuple[ApprovalRequest, bool]:
        """The request for ``manifest`` and whether it is new; resubmitting the same manifest is a no-op."""
        release_id = str(manifest["releaseId"])
        with self._lock:
            existing = self._requests.get(release_id)
            if existing is not None:
                if existing.manifest != manifest:
                    raise ManifestConflictError(release_id)
                return self._expire(existing), False
            now = self._clock()
            minutes = int(manifest.get("timeoutMinutes", DEFAULT_TIMEOUT_MINUTES))
            request = ApprovalRequest(
                releaseId=release_id,
                environment=str(manifest["environment"]),
                status="pending",
                requestedAt=_iso(now),
                expiresAt=_iso(now + timedelta(minutes=minutes)),
                manifest=manifest,
            )
            self._requests[release_id] = request
            self._save()
            return request, True

    def get(self, release_id: str) -> ApprovalRequest:
        with self._lock:
            return self._expire(self._find(release_id))

    def list(self, status: Status | None = None) -> list[ApprovalRequest]:
        with self._lock:
            items = [self._expire(r) for r in self._requests.values()]
        items.sort(key=lambda r: r.requestedAt, reverse=True)
        return [r for r in items if status is None or r.status == status]

    def decide(
        self, release_id: str, status: Literal["approved", "rejected"], approver: str, comment: str | None
    ) -> ApprovalRequest:
        with self._lock:
            request = self._expire(self._find(release_id))
            if request.status != "pending":
                raise AlreadyDecidedError(release_id, request.status)
            request.status = status
            request.approver = approver
            request.comment = comment
            request.decidedAt = _iso(self._clock())
            self._save()
            return request

    def _find(self, release_id: str) -> ApprovalRequest:
        try:
            return self._requests[release_id]
        except KeyError:
            raise UnknownReleaseError(release_id) from None

    def _expire(self, request: ApprovalRequest) -> ApprovalRequest:
        if request.status == "pending" and self._clock() >= datetime.fromisoformat(request.expiresAt):
            request.status = "expired"
            request.decidedAt = request.expiresAt
            self._save()
        return request

    def _save(self) -> None:
        if self._state_file is None:
            return
        self._state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps([r.to_json() for r in self._requests.values()], indent=1))
        temporary.replace(self._state_file)
