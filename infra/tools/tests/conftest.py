"""Shared fixtures: the repo, the bicep-types snapshot, scratch copies of infra/ to break on purpose, and
one checkov run per session (it is the slow part)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from shopinfra.checkov_run import CheckovReport, run_checkov

sys.path.insert(0, str(Path(__file__).parent))

from infra_helpers import (
    BROKEN_OUTSIDE,
    BROKEN_STORAGE,
    DRIFT_SOURCES,
    HARD_CODED_URL,
    INFRA,
    REPO,
    TYPES,
    copy_templates,
)


@pytest.fixture(scope="session")
def types_dir() -> Path:
    if not (TYPES / "api-versions.json").is_file():
        message = f"bicep-types snapshot missing at {TYPES} (see ../shared/schemas/README.md)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return TYPES


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A scratch repo with infra/ and the drift sources, to break one file at a time."""
    copy_templates(tmp_path / "infra")
    for relative in DRIFT_SOURCES:
        destination = tmp_path / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / relative, destination)
    return tmp_path


@pytest.fixture(scope="session")
def checkov_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CheckovReport]:
    """One checkov run over a copy of infra/ plus deliberately insecure modules: zz-broken/ inside the copy,
    and zz-outside/ beside it, which a module call in zz-broken/ reaches."""
    root = copy_templates(tmp_path_factory.mktemp("checkov") / "infra")
    broken = root / BROKEN_STORAGE
    broken.parent.mkdir()
    text = (INFRA / "modules/storage.bicep").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if "checkov:skip" not in line)
    broken.write_text(
        text.replace("allowBlobPublicAccess: false", "allowBlobPublicAccess: true"), encoding="utf-8"
    )
    outside = root.parent / BROKEN_OUTSIDE
    outside.parent.mkdir()
    action_group = (REPO / "monitoring/azure/action-group.bicep").read_text(encoding="utf-8")
    outside.write_text(
        action_group.replace(
            "param incidentFlowWebhookUrl string\n",
            f"param incidentFlowWebhookUrl string = '{HARD_CODED_URL}'\n",
        ),
        encoding="utf-8",
    )
    (broken.parent / "calls-outside.bicep").write_text(
        f"module actionGroup '../../{BROKEN_OUTSIDE}' = {{\n  name: 'broken-action-group'\n}}\n",
        encoding="utf-8",
    )
    return root, run_checkov(root)
