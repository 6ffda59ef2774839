"""A real mailbox-emulator process on free ports, shared by the tests of a module."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest


@dataclass(frozen=True)
class RunningMailbox:
    smtp_port: int
    http: httpx.Client


@pytest.fixture(scope="module")
def mailbox() -> Iterator[RunningMailbox]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mailbox_emulator.cli", "--smtp-port", "0", "--http-port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    listening = None
    for line in process.stdout:
        entry = json.loads(line)
        if entry.get("event") == "listening":
            listening = entry
            break
    assert listening, "mailbox-emulator exited before listening"
    with httpx.Client(base_url=f"http://127.0.0.1:{listening['http_port']}", timeout=40) as http:
        yield RunningMailbox(listening["smtp_port"], http)
    process.terminate()
    assert process.wait(timeout=10) == 0


@pytest.fixture(autouse=True)
def empty_inbox(request: pytest.FixtureRequest) -> None:
    if "mailbox" in request.fixturenames:
        running: RunningMailbox = request.getfixturevalue("mailbox")
        running.http.delete("/api/messages")
        running.http.delete("/api/sms")
