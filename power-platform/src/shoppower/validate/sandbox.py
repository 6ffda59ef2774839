"""A copy of the Power Platform sources in a scratch folder, to break on purpose and re-validate (the
validators' tests use it to show that each check fails on the file at fault)."""

from __future__ import annotations

import shutil
from pathlib import Path

from shoppower.validate.findings import Finding
from shoppower.validate.package import PACKAGE, VALIDATED_TREES, validate_package


class SourcesCopy:
    def __init__(self, root: Path) -> None:
        self.root = root
        for tree in VALIDATED_TREES:
            shutil.copytree(PACKAGE / tree, root / tree)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def edit(self, relative: str, old: str, new: str, count: int = 1) -> Path:
        path = self.path(relative)
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise AssertionError(f"{old!r} not in {relative}")
        path.write_text(text.replace(old, new, count), encoding="utf-8")
        return path

    def findings(self) -> list[Finding]:
        return validate_package(self.root)

    def about(self, path: Path) -> list[str]:
        return [f.message for f in self.findings() if f.path == path]
