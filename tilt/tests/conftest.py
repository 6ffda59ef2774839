"""The repository's Tiltfile evaluated once per mode, and copies of it to break on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from shoptilt.evaluate import evaluate
from shoptilt.recorder import Recording

REPO = Path(__file__).resolve().parents[2]
TILTFILE = REPO / "Tiltfile"
PLATFORM_FILE = REPO / "harness" / "platform.yaml"
BUILDS_FILE = REPO / "tilt" / "builds.yaml"


@pytest.fixture(scope="session")
def platform() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(PLATFORM_FILE.read_text())
    return loaded


@pytest.fixture(scope="session")
def builds() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(BUILDS_FILE.read_text())
    return loaded


@pytest.fixture(scope="session")
def cluster() -> Recording:
    return evaluate(TILTFILE)


@pytest.fixture(scope="session")
def process() -> Recording:
    return evaluate(TILTFILE, ["--mode=process"])


class TiltTree:
    """A copy of the Tiltfile and what it reads (no k8s/), under tmp_path, to break on purpose."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for source in (TILTFILE, PLATFORM_FILE, BUILDS_FILE):
            target = root / source.relative_to(REPO)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
        self.tiltfile = root / "Tiltfile"
        self.platform_file = root / "harness" / "platform.yaml"
        self.builds_file = root / "tilt" / "builds.yaml"

    def edit_platform(self, change: Callable[[dict[str, Any]], None]) -> None:
        _edit_yaml(self.platform_file, change)

    def edit_builds(self, change: Callable[[dict[str, Any]], None]) -> None:
        _edit_yaml(self.builds_file, change)

    def replace_in_tiltfile(self, old: str, new: str) -> None:
        text = self.tiltfile.read_text()
        assert text.count(old) == 1, f"the Tiltfile no longer holds exactly one {old!r}"
        self.tiltfile.write_text(text.replace(old, new))

    def evaluate(self, *args: str) -> Recording:
        return evaluate(self.tiltfile, args)


def _edit_yaml(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


@pytest.fixture
def tree(tmp_path: Path) -> TiltTree:
    return TiltTree(tmp_path)
