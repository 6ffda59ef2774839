"""The import graph of one Python package, read from its source text (nothing is imported or run).

Every import counts: module level, inside functions and under ``if TYPE_CHECKING:``, because each of
them is a dependency a reader has to hold in mind, and a cycle hidden behind a local import is still a
cycle. ``from package import name`` points at ``package.name`` when that is a module of the package
(a submodule import), else at ``package`` itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ImportEdge:
    source: str
    target: str
    line: int


def module_name(package_root: Path, path: Path) -> str:
    """`src/pkg/sub/mod.py` -> `pkg.sub.mod`; a package's `__init__.py` is the package itself."""
    parts = list(path.relative_to(package_root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules(package_root: Path) -> dict[str, Path]:
    return {module_name(package_root, path): path for path in sorted(package_root.rglob("*.py"))}


def _absolute(module: str, importer: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[ImportEdge]:
    """The imports of one module that land inside the same package, resolved to module names."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    edges: list[ImportEdge] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _nearest_module(alias.name, modules)
                if target:
                    edges.append(ImportEdge(module, target, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, module, is_package, node.level, node.module)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                target = submodule if submodule in modules else _nearest_module(base, modules)
                if target:
                    edges.append(ImportEdge(module, target, node.lineno))
    return [edge for edge in edges if edge.target != module]


def _nearest_module(name: str, modules: dict[str, Path]) -> str | None:
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def package_graph(package_root: Path) -> list[ImportEdge]:
    modules = package_modules(package_root)
    return [edge for module, path in modules.items() for edge in imports_of(module, path, modules)]
