"""A fresh copy of the Power Platform sources per test, to break on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest
from shoppower.validate.sandbox import SourcesCopy


@pytest.fixture
def sources(tmp_path: Path, schemas_dir: Path) -> SourcesCopy:
    return SourcesCopy(tmp_path)
