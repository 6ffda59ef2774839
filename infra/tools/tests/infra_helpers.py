"""Paths and small helpers shared by the tests (importable: conftest puts this folder on sys.path)."""

from __future__ import annotations

import shutil
from pathlib import Path

from shopinfra.references import template_closure

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
    """infra/ without tools/ (the templates, env files, scripts and .checkov.yaml), and what main.bicep
    reaches outside it (monitoring/azure) in the same place relative to the copy: `../` paths still work."""
    shutil.copytree(INFRA, target, ignore=shutil.ignore_patterns("tools", "__pycache__"))
    for path in template_closure(INFRA / "main.bicep"):
        if not path.is_relative_to(INFRA):
            destination = target.parent / path.relative_to(REPO)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, destination)
    return target


def replace_in(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replaces text in a file and returns the 1-based line of the first replacement."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


BROKEN_STORAGE = "zz-broken/storage.bicep"
# Outside the infra/ copy, reached only through a module call from zz-broken/ (as monitoring/azure is from
# main.bicep): the action group with its secret webhook URL written into the template.
BROKEN_OUTSIDE = "zz-outside/action-group.bicep"
HARD_CODED_URL = "https://flows.example.invalid/incident"
