"""The import-cycle check: the repository passes it, and each way of hiding a cycle is caught."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from repochecks.import_cycles import main, package_cycles

ROOT = Path(__file__).resolve().parents[3]


def write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / "src" / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return package


def test_every_package_of_the_repository_imports_one_way(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([str(ROOT)])
    assert code == 0, capsys.readouterr().out


@pytest.mark.parametrize(
    "hiding_place",
    [
        "from pkg.a import thing\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import thing\n",
        "def later():\n    from pkg import a\n    return a\n",
        "from . import a\n",
        "import pkg.a\n",
    ],
    ids=["module-level", "type-checking-only", "function-local", "relative", "plain-import"],
)
def test_a_cycle_is_caught_wherever_the_import_hides(tmp_path: Path, hiding_place: str) -> None:
    package = write_package(tmp_path, {"a.py": "from pkg.b import other\nthing = 1\n", "b.py": hiding_place})
    [cycle] = package_cycles(package)
    assert cycle.modules == ["pkg.a", "pkg.b"]
    assert "src/pkg/b.py:" in cycle.describe(tmp_path)
    assert "pkg.a imports pkg.b" in cycle.describe(tmp_path)


def test_a_longer_cycle_is_reported_once_with_every_module(tmp_path: Path) -> None:
    package = write_package(
        tmp_path,
        {
            "a.py": "import pkg.b\n",
            "b.py": "import pkg.sub.c\n",
            "sub/__init__.py": "",
            "sub/c.py": "import pkg.a\n",
        },
    )
    assert [cycle.modules for cycle in package_cycles(package)] == [["pkg.a", "pkg.b", "pkg.sub.c"]]


def test_importing_a_submodule_through_its_package_is_an_edge_to_the_submodule(tmp_path: Path) -> None:
    # pkg/__init__ re-exports from pkg.rules, and pkg.rules uses pkg.values: no cycle through __init__.
    package = write_package(
        tmp_path,
        {
            "__init__.py": "from pkg.rules import rule\n",
            "rules.py": "from pkg import values\nrule = values.x\n",
            "values.py": "x = 1\n",
        },
    )
    assert package_cycles(package) == []


def test_the_command_fails_and_names_the_cycle_in_a_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["member"]\n')
    write_package(tmp_path / "member", {"a.py": "import pkg.b\n", "b.py": "import pkg.a\n"})
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "import cycle in member/src/pkg: pkg.a <-> pkg.b" in out
    assert "member/src/pkg/a.py:1: pkg.a imports pkg.b" in out
