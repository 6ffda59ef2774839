"""A real mailbox-emulator process on free ports, shared by the tests of a module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from emulator_common.testing import launched


@dataclass(frozen=True)
class RunningMailbox:
    smtp_port: int
    http: httpx.Client


@pytest.fixture(scope="module")
def mailbox() -> Iterator[RunningMailbox]:
    with launched("mailbox_emulator.cli", "--smtp-port", "0", "--http-port", "0") as running:
        base_url = f"http://127.0.0.1:{running.port('http_port')}"
        with httpx.Client(base_url=base_url, timeout=40) as http:
            yield RunningMailbox(running.port("smtp_port"), http)
        assert running.stop() == 0


@pytest.fixture(autouse=True)
def empty_inbox(request: pytest.FixtureRequest) -> None:
    if "mailbox" in request.fixturenames:
        running: RunningMailbox = request.getfixturevalue("mailbox")
        running.http.delete("/api/messages")
        running.http.delete("/api/sms")
