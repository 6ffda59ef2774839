"""examples/power-automate/approval-flow.json: power-platform's cloud flow validator (shape of the workflow
definition, runAfter and expression references, connection references declared by the solutions), and in
step with the real DeploymentApproval flow and the release-approval contract (trigger schema, approval
operation, the 202 answer, the callback's method, body and authentication)."""

from __future__ import annotations

from pathlib import Path

import pytest
from examples_testing import FLOW, REPO_ROOT, broken_copy, flow_drift
from shoppower.validate.catalog import Catalog, build_catalog
from shoppower.validate.findings import Finding
from shoppower.validate.flows import check_flow


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    findings: list[Finding] = []
    built = build_catalog(REPO_ROOT / "power-platform" / "solutions", findings)
    assert findings == []
    return built


def _flow_findings(path: Path, catalog: Catalog) -> list[str]:
    findings: list[Finding] = []
    check_flow(path, catalog, findings)
    return [finding.render() for finding in findings]


def test_example_passes_the_flow_validator(catalog: Catalog) -> None:
    assert _flow_findings(FLOW, catalog) == []


def test_validator_fails_a_copy_whose_action_runs_after_a_missing_one_naming_it(
    tmp_path: Path, catalog: Catalog
) -> None:
    copy = broken_copy(FLOW, tmp_path, '"Respond_accepted": [', '"Respond_acepted": [')
    findings = _flow_findings(copy, catalog)
    assert (
        f"{copy}: action Wait_for_release_manager: runAfter 'Respond_acepted' is not an action of its scope"
        in (findings)
    )


def test_validator_fails_a_copy_with_an_undeclared_connection_reference(
    tmp_path: Path, catalog: Catalog
) -> None:
    copy = broken_copy(FLOW, tmp_path, '"csh_approvals"', '"csh_approval"')
    findings = _flow_findings(copy, catalog)
    assert any(f.startswith(f"{copy}: connection 'shared_approvals'") for f in findings), findings


def test_example_is_in_step_with_the_deployment_approval_flow() -> None:
    assert flow_drift(FLOW) == []


def test_in_step_fails_when_the_trigger_no_longer_requires_the_commit(tmp_path: Path) -> None:
    copy = broken_copy(FLOW, tmp_path, '"images",\n                "commit",', '"images",')
    problems = flow_drift(copy)
    assert any(p.startswith(f"{copy}: the trigger schema differs") for p in problems), problems
    assert any(p.startswith(f"{copy}: trigger requires") and "'commit'" in p for p in problems), problems


def test_in_step_fails_when_the_callback_status_words_differ(tmp_path: Path) -> None:
    copy = broken_copy(FLOW, tmp_path, "'approved'", "'Approved'")
    problems = flow_drift(copy)
    assert any(p.startswith(f"{copy}: Http action body") for p in problems), problems
