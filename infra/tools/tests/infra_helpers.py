"""Paths and small helpers shared by the tests (importable: conftest puts this folder on sys.path)."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
INFRA = REPO / "infra"
TYPES = REPO.parent / "shared" / "schemas" / "bicep-types"
# What the drift check reads besides infra/.
DRIFT_SOURCES = [
    "emulators/servicebus/config/platform.json",
    "emulators/eventhubs/config/platform.json",
    "harness/platform.yaml",
    "services/order/src/config.ts",
    *sorted(p.relative_to(REPO).as_posix() for p in REPO.glob("services/*/src/**/settings.py")),
]


def copy_templates(target: Path) -> Path:
    """infra/ without tools/ (the templates, env files, scripts and .checkov.yaml)."""
    shutil.copytree(INFRA, target, ignore=shutil.ignore_patterns("tools", "__pycache__"))
    return target


def replace_in(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replaces text in a file and returns the 1-based line of the first replacement."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


BROKEN_STORAGE = "zz-broken/storage.bicep"
