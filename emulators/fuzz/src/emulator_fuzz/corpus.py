"""Where each target's seed corpus, saved crashes and working corpus live (under emulators/fuzz/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
CORPUS_ROOT = PACKAGE_ROOT / "corpus"
CRASHES_ROOT = PACKAGE_ROOT / "crashes"
# What libFuzzer adds to the corpus while it runs: kept out of git, seeded from CORPUS_ROOT.
WORK_ROOT = PACKAGE_ROOT / ".work"


def corpus_dir(target: str) -> Path:
    return CORPUS_ROOT / target


def crash_dir(target: str) -> Path:
    return CRASHES_ROOT / target


def work_dir(target: str) -> Path:
    return WORK_ROOT / target


def inputs(directory: Path) -> Iterator[Path]:
    """The input files of a corpus or crash directory, in name order (README files excluded)."""
    if not directory.is_dir():
        return
    for path in sorted(directory.iterdir()):
        if path.is_file() and not path.name.startswith(".") and path.suffix != ".md":
            yield path
