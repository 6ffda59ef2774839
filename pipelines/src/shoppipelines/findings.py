"""A problem found in a pipeline file: where it is and what is wrong, printed as `file:line: message`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Finding:
    file: Path
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.message}"


def line_of(path: Path, needle: str) -> int | None:
    """The first line of `path` containing `needle` (1-based), for pointing at an object by its name."""
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        if needle in text:
            return number
    return None
