"""Paths a document cites as proof (`path/to/test.py`, `path/to/test.py::test_name`) must exist.

The threat model links every control to the test that proves it; a renamed or deleted test would otherwise
leave a control that looks proven and is not.
"""

from __future__ import annotations

import re
from pathlib import Path

_CITED = re.compile(r"`([A-Za-z0-9_.\-]+/[A-Za-z0-9_./\-]*)(?:::([A-Za-z0-9_]+))?`")


def missing_citations(document: Path, root: Path) -> list[str]:
    problems: list[str] = []
    for number, line in enumerate(document.read_text().splitlines(), start=1):
        for match in _CITED.finditer(line):
            path, test = match.group(1), match.group(2)
            target = root / path
            if not target.exists():
                problems.append(f"{document.name}:{number}: {path} does not exist")
            elif test and not re.search(rf"\bdef {test}\(", target.read_text()):
                problems.append(f"{document.name}:{number}: {path} has no test {test}")
    return problems
