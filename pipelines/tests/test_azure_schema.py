"""Azure DevOps YAML: expanded like the service does, then validated against the service schema."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pipelines_testing import AZURE, REPO_ROOT, replace
from shoppipelines.azure_schema import schema_path, validate

SCHEMA = schema_path(REPO_ROOT)


@pytest.fixture(autouse=True)
def schema_present() -> None:
    if not SCHEMA.is_file():
        message = f"the Azure Pipelines schema is missing: {SCHEMA} (shared/schemas beside the repo)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def test_the_pipeline_and_every_template_are_valid() -> None:
    assert [str(finding) for finding in validate(REPO_ROOT / AZURE, SCHEMA)] == []


def test_every_template_file_is_used_and_checked() -> None:
    from shoppipelines.azure_templates import expand

    used = {expansion.file for expansion in expand(REPO_ROOT / AZURE).templates}
    assert used == {path.resolve() for path in (REPO_ROOT / "pipelines" / "templates").rglob("*.yml")}


def test_a_misspelt_key_in_a_template_is_reported_against_that_template(flow_copy: Path) -> None:
    deploy = flow_copy / "pipelines/templates/stages/deploy.yml"
    replace(deploy, "        timeoutInMinutes: 60", "        timeoutInMinute: 60")

    findings = [str(f) for f in validate(flow_copy / AZURE, SCHEMA)]

    assert (
        f"{deploy}: stages[0].jobs[0]: "
        "Additional properties are not allowed ('timeoutInMinute' was unexpected)" in findings
    )


def test_a_wrong_value_reached_only_through_a_parameter_is_caught(flow_copy: Path) -> None:
    # `continueOnError` is a boolean; the bad value exists only once the parameter is substituted.
    setup = flow_copy / "pipelines/templates/steps/setup.yml"
    replace(setup, '    fetchDepth: "1"', '    fetchDepth: "1"\n    continueOnError: ${{ parameters.stage }}')

    findings = [str(f) for f in validate(flow_copy / AZURE, SCHEMA)]

    assert any(
        f.startswith(f"{setup}: steps[0].continueOnError: 'build' does not match") for f in findings
    ), findings


def test_a_parameter_value_outside_its_values_is_refused(flow_copy: Path) -> None:
    replace(flow_copy / AZURE, "      environment: staging", "      environment: qa")

    findings = [str(f) for f in validate(flow_copy / AZURE, SCHEMA)]

    deploy = (flow_copy / "pipelines/templates/stages/deploy.yml").resolve()
    assert findings == [
        f"{flow_copy / AZURE}: {deploy}: parameter environment='qa' is not one of dev, staging, prod"
    ]


def test_an_expression_that_cannot_be_evaluated_is_reported_not_skipped(flow_copy: Path) -> None:
    approve = flow_copy / "pipelines/templates/stages/approve.yml"
    replace(approve, "approve_${{ parameters.environment }}", "approve_${{ variables.environment }}")

    findings = [str(f) for f in validate(flow_copy / AZURE, SCHEMA)]

    assert findings == [
        f"{flow_copy / AZURE}: {approve.resolve()}: "
        "unsupported context 'variables' in expression ' variables.environment '"
    ]


def test_a_required_template_parameter_left_out_is_refused(flow_copy: Path) -> None:
    replace(
        flow_copy / AZURE,
        "      environment: prod\n      dependsOn: approve_prod\n",
        "      dependsOn: approve_prod\n",
    )

    findings = [str(f) for f in validate(flow_copy / AZURE, SCHEMA)]

    assert findings[0].endswith("deploy.yml: required template parameter environment not given")


def test_a_deployment_on_failure_hook_is_read_as_azure_pipelines_reads_it(flow_copy: Path) -> None:
    # YAML 1.1 would read the bare key `on` as the boolean True and the schema would refuse the job.
    deploy = flow_copy / "pipelines/templates/stages/deploy.yml"
    replace(
        deploy,
        "          runOnce:\n            deploy:\n",
        "          runOnce:\n            on:\n              failure:\n                steps:\n"
        "                  - script: echo rolled back\n            deploy:\n",
    )

    assert [str(f) for f in validate(flow_copy / AZURE, SCHEMA)] == []
