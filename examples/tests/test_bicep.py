"""examples/bicep-templates/aks-cluster.bicep: infra/'s checks (parse, cross-read by pycep-parser, resource
types at their newest stable apiVersion, properties against Azure's type definitions, checkov with infra/'s
settings), and in step with infra/ (the same apiVersions, the same cluster and pool settings)."""

from __future__ import annotations

from pathlib import Path

from conftest import BicepScan
from examples_testing import BICEP, REPO_ROOT, bicep_drift, broken_copy
from shopinfra.checkov_run import check_skip_reasons
from shopinfra.checks import Outcome, run_checks

TYPES = REPO_ROOT.parent / "shared" / "schemas" / "bicep-types"
INFRA_CHECKOV_CONFIG = REPO_ROOT / "infra" / ".checkov.yaml"


def _infra_checks(bicep_dir: Path) -> Outcome:
    # checkov runs once per session (bicep_checkov); everything else is run here as infra/ runs it.
    return run_checks(bicep_dir, REPO_ROOT, TYPES, with_checkov=False)


def test_example_passes_the_infra_checks() -> None:
    outcome = _infra_checks(BICEP.parent)
    assert outcome.files == [BICEP]
    assert [str(f) for f in outcome.findings] == []
    assert [str(f) for f in outcome.notes] == []


def test_example_passes_checkov_with_reasons_for_every_skip(bicep_checkov: BicepScan) -> None:
    failed = [str(f) for f in bicep_checkov.report.failed if f.path == bicep_checkov.example]
    assert failed == []
    assert bicep_checkov.report.unparsed == []
    assert list(check_skip_reasons(BICEP.parent, INFRA_CHECKOV_CONFIG)) == []


def test_checkov_fails_a_copy_with_the_registry_admin_user_naming_it(bicep_checkov: BicepScan) -> None:
    failed = [str(f) for f in bicep_checkov.report.failed if f.path == bicep_checkov.broken]
    assert any("CKV_AZURE_137" in f and "registry" in f for f in failed), failed


def test_infra_checks_fail_a_copy_with_an_old_api_version_naming_it(tmp_path: Path) -> None:
    copy = broken_copy(BICEP, tmp_path, "managedClusters@2026-05-01' = {", "managedClusters@2024-09-01' = {")
    findings = [str(f) for f in _infra_checks(copy.parent).findings]
    assert any(
        f.startswith(f"{copy}:") and "2024-09-01: not the newest stable apiVersion (2026-05-01)" in f
        for f in findings
    ), findings


def test_infra_checks_fail_a_copy_with_an_unknown_property_naming_it(tmp_path: Path) -> None:
    copy = broken_copy(BICEP, tmp_path, "networkPluginMode: 'overlay'", "networkPluginModes: 'overlay'")
    findings = [str(f) for f in _infra_checks(copy.parent).findings]
    assert any(f.startswith(f"{copy}:") and "networkPluginModes: unknown property" in f for f in findings), (
        findings
    )


def test_example_is_in_step_with_infra() -> None:
    assert bicep_drift(BICEP) == []


def test_in_step_fails_when_an_api_version_differs_from_infra(tmp_path: Path) -> None:
    copy = broken_copy(BICEP, tmp_path, "dataCollectionRules@2024-03-11", "dataCollectionRules@2023-03-11")
    problems = bicep_drift(copy)
    assert any(p.startswith(f"{copy}:") and "infra/ uses 2024-03-11" in p for p in problems), problems


def test_in_step_fails_when_workload_identity_is_off(tmp_path: Path) -> None:
    copy = broken_copy(
        BICEP,
        tmp_path,
        "workloadIdentity: {\n        enabled: true",
        "workloadIdentity: {\n        enabled: false",
    )
    problems = bicep_drift(copy)
    assert any(
        p.startswith(f"{copy}:") and "securityProfile.workloadIdentity.enabled is False" in p
        for p in problems
    ), problems


def test_in_step_fails_when_the_spot_pool_is_not_spot(tmp_path: Path) -> None:
    copy = broken_copy(BICEP, tmp_path, "scaleSetPriority: 'Spot'", "scaleSetPriority: 'Regular'")
    problems = bicep_drift(copy)
    assert any("pool spot properties.scaleSetPriority is 'Regular'" in p for p in problems), problems
