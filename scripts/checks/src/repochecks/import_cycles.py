"""`import-cycles [ROOT]`: fails naming every import cycle inside any Python package of the workspace.

The packages are the `src/<package>` folders of the workspace's members (root pyproject.toml). Each
cycle is printed with the import lines that close it, so the fix starts where the report points.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from repochecks.cycles import cycles
from repochecks.import_graph import ImportEdge, package_graph, package_modules


@dataclass(frozen=True)
class Cycle:
    package: Path
    modules: list[str]
    edges: list[ImportEdge]

    def describe(self, root: Path) -> str:
        modules = package_modules(self.package)
        lines = [f"import cycle in {self.package.relative_to(root)}: {' <-> '.join(self.modules)}"]
        for edge in self.edges:
            path = modules[edge.source].relative_to(root)
            lines.append(f"  {path}:{edge.line}: {edge.source} imports {edge.target}")
        return "\n".join(lines)


def workspace_packages(root: Path) -> list[Path]:
    config = tomllib.loads((root / "pyproject.toml").read_text())
    packages: list[Path] = []
    for member in config["tool"]["uv"]["workspace"]["members"]:
        src = root / member / "src"
        if src.is_dir():
            packages += sorted(path for path in src.iterdir() if (path / "__init__.py").is_file())
    return packages


def package_cycles(package: Path) -> list[Cycle]:
    edges = package_graph(package)
    found: list[Cycle] = []
    for members in cycles(edges):
        inside = set(members)
        closing = [edge for edge in edges if edge.source in inside and edge.target in inside]
        found.append(Cycle(package, members, closing))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    root = args.root.resolve()
    packages = workspace_packages(root)
    found = [cycle for package in packages for cycle in package_cycles(package)]
    for cycle in found:
        print(cycle.describe(root))
    print(f"import-cycles: {len(packages)} packages, {len(found)} cycles")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
