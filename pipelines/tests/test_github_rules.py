"""GitHub workflows and composite actions: every action pinned by commit SHA, least-privilege permissions."""

from __future__ import annotations

from pathlib import Path

from pipelines_testing import RELEASE, REPO_ROOT, replace
from shoppipelines.github import GithubFiles, permission_problems, unpinned_actions

FILES = GithubFiles(REPO_ROOT / ".github")


def line_with(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"


def test_there_are_workflows_and_actions_to_check() -> None:
    assert {p.name for p in FILES.workflows} >= {"release.yml", "deploy-environment.yml"}
    assert {p.parent.name for p in FILES.actions} >= {"setup", "azure-login"}


def test_every_action_is_pinned_to_a_full_commit_sha() -> None:
    assert [str(f) for f in unpinned_actions(FILES)] == []


def test_a_tag_pinned_action_is_reported_with_its_line(flow_copy: Path) -> None:
    release = flow_copy / RELEASE
    replace(release, CHECKOUT, "actions/checkout@v4")
    login = flow_copy / ".github/actions/azure-login/action.yml"
    replace(login, "azure/login@a65d910e8af852a8061c627c456678983e180302", "azure/login@a65d910")

    findings = [str(f) for f in unpinned_actions(GithubFiles(flow_copy / ".github"))]

    assert findings == [
        f"{release}:{line_with(release, 'checkout@v4')}: "
        "action actions/checkout@v4 is not pinned to a full commit SHA",
        f"{login}:{line_with(login, 'login@a65d910')}: "
        "action azure/login@a65d910 is not pinned to a full commit SHA",
    ]


def test_every_job_has_least_privilege_permissions() -> None:
    assert [str(f) for f in permission_problems(FILES)] == []


def test_a_job_without_its_own_permissions_is_reported(flow_copy: Path) -> None:
    release = flow_copy / RELEASE
    replace(
        release,
        "    timeout-minutes: 60\n    permissions:\n      contents: read\n",
        "    timeout-minutes: 60\n",
    )

    findings = [str(f) for f in permission_problems(GithubFiles(flow_copy / ".github"))]

    assert len(findings) == 1
    assert findings[0].endswith("job gates has no `permissions:` mapping of its own")


def test_a_write_scope_a_job_does_not_need_is_reported(flow_copy: Path) -> None:
    release = flow_copy / RELEASE
    replace(
        release,
        "    timeout-minutes: 90\n    permissions:\n      contents: read\n",
        "    timeout-minutes: 90\n    permissions:\n      contents: write\n      id-token: write\n",
    )

    findings = [str(f).split(": ", 1)[1] for f in permission_problems(GithubFiles(flow_copy / ".github"))]

    assert findings == [
        "job build asks for contents: write, which no job needs",
        "job build asks for id-token: write but only a job that logs in to Azure with OIDC "
        "(uses ./.github/actions/azure-login or a deploy workflow) may",
    ]


def test_default_permissions_at_the_top_are_reported(flow_copy: Path) -> None:
    workflow = flow_copy / ".github/workflows/deploy-environment.yml"
    replace(workflow, "permissions: {}\n", "permissions: write-all\n")

    findings = [str(f) for f in permission_problems(GithubFiles(flow_copy / ".github"))]

    line = line_with(workflow, "permissions: write-all")
    assert findings == [f"{workflow}:{line}: workflow must set `permissions: {{}}` at the top"]
