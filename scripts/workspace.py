"""Lists the Python workspace's packages from the root pyproject.toml, for the Makefile."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Suites beside a member's tests/ that `make test` runs too (each keeps its own conftest).
EXTRA_TESTS = ("contract-tests/schemathesis",)


def members() -> list[Path]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [ROOT / member for member in config["tool"]["uv"]["workspace"]["members"]]


def main(what: str) -> None:
    if what == "python-sources":
        paths = [member / "src" for member in members() if (member / "src").is_dir()]
    elif what == "python-tests":
        paths = [member / "tests" for member in members() if (member / "tests").is_dir()]
        paths += [ROOT / extra for extra in EXTRA_TESTS if (ROOT / extra).is_dir()]
    else:
        sys.exit(f"usage: workspace.py python-sources|python-tests (not {what!r})")
    print("\n".join(str(path.relative_to(ROOT)) for path in paths))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
