"""examples/azure-pipelines/multi-stage.yml: the pipelines package's Azure DevOps check (expanded as the
service expands it, then validated against the service schema in ../shared/schemas), and in step with
pipelines/azure-pipelines.yml (stage names, their order and dependsOn, the deployment environments)."""

from __future__ import annotations

from pathlib import Path

from examples_testing import PIPELINE, REPO_ROOT, broken_copy, pipeline_drift
from shoppipelines.azure_schema import schema_path, validate


def _schema_findings(path: Path) -> list[str]:
    return [str(finding) for finding in validate(path, schema_path(REPO_ROOT))]


def test_example_passes_the_azure_pipelines_schema() -> None:
    assert _schema_findings(PIPELINE) == []


def test_schema_fails_a_copy_with_a_misspelt_key_naming_it(tmp_path: Path) -> None:
    copy = broken_copy(PIPELINE, tmp_path, "timeoutInMinutes: 1440", "timeoutInMinute: 1440")
    findings = _schema_findings(copy)
    approve_job = f"{copy}: stages[6].jobs[0]"
    assert any(f.startswith(approve_job) and "timeoutInMinute" in f for f in findings), findings


def test_example_is_in_step_with_the_release_pipeline() -> None:
    assert pipeline_drift(PIPELINE) == []


def test_in_step_fails_when_a_stage_is_renamed(tmp_path: Path) -> None:
    copy = broken_copy(PIPELINE, tmp_path, "approve_prod", "approval_prod")
    problems = pipeline_drift(copy)
    assert any(p.startswith(f"{copy}: stages (name, dependsOn)") and "approval_prod" in p for p in problems)


def test_in_step_fails_when_a_deploy_skips_staging(tmp_path: Path) -> None:
    copy = broken_copy(PIPELINE, tmp_path, "dependsOn: deploy_staging", "dependsOn: deploy_dev")
    problems = pipeline_drift(copy)
    assert any(p.startswith(f"{copy}: stages (name, dependsOn)") for p in problems), problems
