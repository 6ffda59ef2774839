"""Fixtures: a platform description of fake components written per test, and a shopctl runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from shopctl.ports import free_port

FAKE = Path(__file__).with_name("fake_component.py")


def fake_entry(
    *flags: str, depends_on: list[str] | None = None, port: int | None = None
) -> dict[str, object]:
    """A platform entry running fake_component.py with the given flags on its own port."""
    return {
        "description": "fake component",
        "command": [sys.executable, str(FAKE), "--port", "{ports.http}", *flags],
        "ports": {"http": port or free_port()},
        "health": {"http": "http://{host}:{ports.http}/health"},
        "depends_on": depends_on or [],
        "urls": {"health": "http://{host}:{ports.http}/health"},
        "ready_timeout": 5,
        "stop_timeout": 2,
    }


class PlatformFiles:
    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path / "harness"
        self.dir.mkdir()
        self.file = self.dir / "platform.yaml"
        self.state_dir = tmp_path / ".shop"

    def write(
        self, components: dict[str, dict[str, object]], tasks: dict[str, dict[str, object]] | None = None
    ) -> Path:
        platform = {"version": 1, "root": "..", "components": components, "tasks": tasks or {}}
        self.file.write_text(yaml.safe_dump(platform))
        return self.file

    def shopctl(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "shopctl",
                f"--platform={self.file}",
                f"--state-dir={self.state_dir}",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "shopctl",
                f"--platform={self.file}",
                f"--state-dir={self.state_dir}",
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


@pytest.fixture
def platform_files(tmp_path: Path) -> Iterator[PlatformFiles]:
    files = PlatformFiles(tmp_path)
    yield files
    # Whatever a failing test left running is stopped here, so no test leaks processes into the next.
    if files.file.exists():
        files.shopctl("down")


@pytest.fixture
def fake() -> Callable[..., dict[str, object]]:
    """Factory of platform entries running fake_component.py: `fake("--never-ready", depends_on=[...])`."""
    return fake_entry
