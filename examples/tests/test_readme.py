"""Each example says where its full version lives (and that file exists), and the README lists every
example with the command that checks it."""

from __future__ import annotations

from pathlib import Path

import pytest
from examples_testing import EXAMPLES, FULL_VERSIONS, REPO_ROOT


@pytest.mark.parametrize("example", FULL_VERSIONS, ids=lambda p: p.name)
def test_example_header_names_its_full_version(example: Path) -> None:
    text = example.read_text(encoding="utf-8")
    for full in FULL_VERSIONS[example]:
        named = str(full.relative_to(REPO_ROOT))
        assert full.exists()
        assert named in text, f"{example} does not name {named}"
    test_file = f"examples/tests/test_{_check_of(example)}.py"
    assert f"Check: .venv/bin/pytest {test_file}" in text
    assert (REPO_ROOT / test_file).is_file()


def test_readme_lists_every_example_with_its_check() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip() for line in readme.splitlines() if line.startswith("| [`")}
    assert rows == {f"[`{p.relative_to(EXAMPLES)}`]({p.relative_to(EXAMPLES)})" for p in FULL_VERSIONS}
    for example in FULL_VERSIONS:
        start = f"| [`{example.relative_to(EXAMPLES)}`]"
        row = next(line for line in readme.splitlines() if line.startswith(start))
        assert row.rstrip(" |").endswith(f"`.venv/bin/pytest examples/tests/test_{_check_of(example)}.py`")


def _check_of(example: Path) -> str:
    return {
        "bicep-templates": "bicep",
        "docker": "dockerfile",
        "kubernetes": "kubernetes",
        "power-automate": "power_automate",
        "power-bi": "power_bi",
        "scripts": "health_check",
        "azure-pipelines": "azure_pipelines",
    }[example.parent.name]
