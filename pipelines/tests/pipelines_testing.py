"""Shared test helpers: the repo's pipeline files, and a copy of them in tmp_path to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
AZURE = Path("pipelines/azure-pipelines.yml")
RELEASE = Path(".github/workflows/release.yml")


@pytest.fixture
def flow_copy(tmp_path: Path) -> Path:
    """A repo root in tmp_path holding copies of both implementations (and the ops scripts' variable list)."""
    root = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "pipelines" / "templates", root / "pipelines" / "templates")
    shutil.copy(REPO_ROOT / AZURE, root / AZURE)
    shutil.copytree(REPO_ROOT / ".github", root / ".github")
    return root


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
