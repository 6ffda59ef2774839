"""Each key of an Azure overlay's azure.env comes from an output of infra/main.bicep, or is one the pipeline
provides, as k8s/README.md's hand-off table says; a renamed output fails naming the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from shopk8s import handoff
from shopk8s.layout import AZURE_OVERLAYS, INFRA_TEMPLATE, K8S_DIR

README = K8S_DIR / "README.md"


@pytest.mark.parametrize("overlay", AZURE_OVERLAYS)
def test_every_azure_value_is_an_infra_output_or_the_pipeline_s(overlay: str) -> None:
    env_file = K8S_DIR / "overlays" / overlay / "azure.env"
    problems = handoff.handoff_problems(
        env_file, handoff.handoff_table(README), handoff.output_paths(INFRA_TEMPLATE)
    )
    assert [str(p) for p in problems] == []


def test_the_table_names_outputs_for_the_identities_and_the_vault() -> None:
    table = handoff.handoff_table(README)
    assert table["ANALYTICS_CLIENT_ID"] == handoff.Source("output", "identityClientIds.analytics")
    assert table["KEY_VAULT_NAME"] == handoff.Source("output", "keyVault.name")
    assert table["APPINSIGHTS_CONNECTION_STRING"] == handoff.Source("output", "appInsightsConnectionString")
    assert table["TENANT_ID"].origin == "pipeline"


def test_outputs_include_one_client_id_per_workload_component() -> None:
    outputs = handoff.output_paths(INFRA_TEMPLATE)
    assert {"identityClientIds.analytics", "identityClientIds.product", "hostnames.shop"} <= outputs


def test_a_renamed_output_fails_naming_the_key(tmp_path: Path) -> None:
    template = tmp_path / "main.bicep"
    shutil.copy(INFRA_TEMPLATE, template)
    text = template.read_text()
    template.write_text(text.replace("output keyVault object = {", "output vault object = {"))
    problems = handoff.handoff_problems(
        K8S_DIR / "overlays" / "staging" / "azure.env",
        handoff.handoff_table(README),
        handoff.output_paths(template),
    )
    assert [p.where.rsplit(": ", 1)[1] for p in problems] == ["KEY_VAULT_NAME"]
    assert str(problems[0]).endswith("KEY_VAULT_NAME: infra/main.bicep has no output keyVault.name")


def test_a_renamed_connection_string_output_fails_naming_the_key(tmp_path: Path) -> None:
    template = tmp_path / "main.bicep"
    text = INFRA_TEMPLATE.read_text()
    template.write_text(
        text.replace("output appInsightsConnectionString string", "output appInsights string")
    )
    problems = handoff.handoff_problems(
        K8S_DIR / "overlays" / "prod" / "azure.env",
        handoff.handoff_table(README),
        handoff.output_paths(template),
    )
    assert [str(p).rsplit(": ", 2)[1:] for p in problems] == [
        ["APPINSIGHTS_CONNECTION_STRING", "infra/main.bicep has no output appInsightsConnectionString"]
    ]


def test_a_component_without_an_identity_fails_naming_its_key(tmp_path: Path) -> None:
    template = tmp_path / "main.bicep"
    template.write_text(INFRA_TEMPLATE.read_text().replace("  'analytics'\n]", "]", 1))
    problems = handoff.handoff_problems(
        K8S_DIR / "overlays" / "dev" / "azure.env",
        handoff.handoff_table(README),
        handoff.output_paths(template),
    )
    assert [str(p).rsplit(": ", 2)[1:] for p in problems] == [
        ["ANALYTICS_CLIENT_ID", "infra/main.bicep has no output identityClientIds.analytics"]
    ]


def test_a_key_missing_from_the_table_is_reported(tmp_path: Path) -> None:
    env_file = tmp_path / "azure.env"
    env_file.write_text((K8S_DIR / "overlays" / "prod" / "azure.env").read_text() + "REDIS_HOST=cache\n")
    problems = handoff.handoff_problems(
        env_file, handoff.handoff_table(README), handoff.output_paths(INFRA_TEMPLATE)
    )
    assert [str(p) for p in problems] == [f"{env_file}: REDIS_HOST: not in k8s/README.md's hand-off table"]
