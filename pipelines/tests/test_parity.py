"""One flow, two implementations: the same stages in the same order, each running the same commands, and
the required-variables check first in every stage."""

from __future__ import annotations

from pathlib import Path

import yaml
from pipelines_testing import AZURE, RELEASE, REPO_ROOT, replace
from shoppipelines.parity import Flow, azure_flow, differences, github_flow

STAGES = ["build", "security", "gates", "push", "deploy_dev", "deploy_staging", "approve_prod", "deploy_prod"]


def flows(root: Path) -> tuple[Flow, Flow]:
    return azure_flow(root / AZURE), github_flow(root / RELEASE, root)


def test_both_implementations_have_the_same_stages_and_commands() -> None:
    azure, github = flows(REPO_ROOT)
    assert list(azure.stages) == STAGES
    assert [str(f) for f in differences(azure, github)] == []
    assert azure.stages["deploy_prod"] == [
        "scripts/ops/bin/require-vars.sh deploy",
        "make install",
        "scripts/ops/bin/deploy.sh prod",
        "scripts/ops/bin/smoke.sh prod",
    ]


def test_every_stage_starts_with_the_required_variables_check_for_its_stage() -> None:
    conf = (REPO_ROOT / "scripts/ops/required-variables.conf").read_text()
    known = {line.split(":")[0] for line in conf.splitlines() if line and not line.startswith("#")}
    for flow in flows(REPO_ROOT):
        for stage, commands in flow.stages.items():
            first = commands[0].split()
            assert first[0] == "scripts/ops/bin/require-vars.sh", (
                f"{flow.source}: stage {stage} starts with {first}"
            )
            assert first[1] in known
            assert stage.startswith(first[1].rstrip("e")), f"{stage} checks {first[1]}"


def test_github_jobs_map_every_variable_their_stage_requires() -> None:
    conf = dict(
        line.split(":", 1)
        for line in (REPO_ROOT / "scripts/ops/required-variables.conf").read_text().splitlines()
        if line and not line.startswith("#")
    )
    release = yaml.safe_load((REPO_ROOT / RELEASE).read_text())
    deploy = yaml.safe_load((REPO_ROOT / ".github/workflows/deploy-environment.yml").read_text())
    for name, job in release["jobs"].items():
        stage = github_flow(REPO_ROOT / RELEASE, REPO_ROOT).stages[name][0].split()[1]
        env = {
            **release.get("env", {}),
            **job.get("env", {}),
            **(deploy["jobs"]["deploy"]["env"] if "uses" in job else {}),
        }
        missing = set(conf[stage].split()) - set(env)
        assert not missing, f"job {name} does not map {sorted(missing)}"


def test_removing_a_stage_from_the_github_workflow_only_fails_parity(flow_copy: Path) -> None:
    release = flow_copy / RELEASE
    data = release.read_text()
    start = data.index("  approve_prod:\n")
    release.write_text(
        data[:start]
        + data[data.index("  deploy_prod:\n") :].replace("needs: approve_prod", "needs: deploy_staging")
    )

    findings = [str(f) for f in differences(*flows(flow_copy))]

    assert findings == [f"{release}: stage approve_prod exists only in azure-pipelines.yml"]


def test_removing_a_stage_from_the_azure_pipeline_only_fails_parity(flow_copy: Path) -> None:
    pipeline = flow_copy / AZURE
    replace(pipeline, "  - template: templates/stages/security.yml\n", "")
    replace(pipeline, "      dependsOn: push\n", "      dependsOn: push\n")

    findings = [str(f) for f in differences(*flows(flow_copy))]

    assert findings == [f"{pipeline}: stage security exists only in release.yml"]


def test_a_script_called_by_one_implementation_only_fails_parity(flow_copy: Path) -> None:
    deploy = flow_copy / "pipelines/templates/stages/deploy.yml"
    replace(
        deploy,
        "scripts/ops/bin/smoke.sh ${{ parameters.environment }}",
        "scripts/ops/bin/health.sh ${{ parameters.environment }}",
    )

    findings = [str(f) for f in differences(*flows(flow_copy))]

    assert len(findings) == 3
    assert "stage deploy_dev runs" in findings[0]
    assert "scripts/ops/bin/health.sh dev" in findings[0]


def test_stages_in_another_order_fail_parity(flow_copy: Path) -> None:
    pipeline = flow_copy / AZURE
    replace(
        pipeline,
        "  - template: templates/stages/security.yml\n  - template: templates/stages/gates.yml\n",
        "  - template: templates/stages/gates.yml\n  - template: templates/stages/security.yml\n",
    )

    findings = [str(f) for f in differences(*flows(flow_copy))]

    assert len(findings) == 1
    assert "stages run in another order" in findings[0]
