"""main.bicep deploys monitoring/azure's modules, and no resource has two owners."""

from __future__ import annotations

from pathlib import Path

import pytest
from infra_helpers import INFRA, REPO, copy_templates, replace_in
from shopinfra.cli import main as infra_check
from shopinfra.ownership import check_ownership, declarations
from shopinfra.syntax import parse_file

MONITORING = REPO / "monitoring" / "azure"
ENVIRONMENTS = ("dev", "staging", "prod")
SECOND_RULE = """
// infra/ keeping its own Container Insights rule beside monitoring/azure's
module containerInsightsAgain 'modules/container-insights.bicep' = {
  name: 'container-insights-again'
  scope: group
  params: {
    clusterName: aks.outputs.clusterName
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    namespaces: []
    location: location
  }
}
"""
GRAFANA_MODULE = """@description('Required. Name of the Grafana workspace.')
param name string

resource grafana 'Microsoft.Dashboard/grafana@2025-08-01' = {
  name: name
  location: resourceGroup().location
  sku: {
    name: 'Standard'
  }
}
"""
GRAFANA_CALL = """
module grafana 'managed-grafana.bicep' = {
  name: 'monitoring-grafana'
  params: {
    name: 'amg-shop-${environment}'
  }
}
"""


def env_files(infra: Path) -> list[Path]:
    return [infra / f"env/{env}.bicepparam" for env in ENVIRONMENTS]


def undeployed(infra: Path, folder: Path) -> list[str]:
    """Resources declared in `folder` that the deployment of infra/main.bicep does not create."""
    deployed = {(d.path, d.line) for d in declarations(parse_file(infra / "main.bicep"), parse_file)}
    return [
        f"{path.name}:{resource.line} {resource.symbol}"
        for path in sorted(folder.glob("*.bicep"))
        for resource in parse_file(path).resources
        if not resource.existing and (path.resolve(), resource.line) not in deployed
    ]


def ownership(infra: Path) -> list[str]:
    main = parse_file(infra / "main.bicep")
    return [str(f) for f in check_ownership(main, parse_file, [parse_file(p) for p in env_files(infra)])]


def test_main_bicep_deploys_every_resource_of_monitoring_azure() -> None:
    assert undeployed(INFRA, MONITORING) == []


def test_main_bicep_without_the_monitoring_module_is_noticed(tmp_path: Path) -> None:
    infra = copy_templates(tmp_path / "infra")
    main = infra / "main.bicep"
    text = main.read_text()
    start = text.index("module azureMonitor '../monitoring/azure/monitoring.bicep'")
    end = text.index("\n}\n", start) + 3
    main.write_text(text[:start] + text[end:].replace("azureMonitor.outputs.", "aks.outputs."))

    missing = undeployed(infra, tmp_path / "monitoring" / "azure")

    assert {entry.split(":")[0] for entry in missing} == {
        "action-group.bicep",
        "container-insights.bicep",
        "prometheus-rule-groups.bicep",
        "saga-workbook.bicep",
    }


def test_the_monitoring_resources_are_named_in_main_bicep_s_terms() -> None:
    main = parse_file(INFRA / "main.bicep")
    dev = parse_file(INFRA / "env/dev.bicepparam")
    names = {(d.type_name, d.name, d.via) for d in declarations(main, parse_file, dev)}

    assert (
        "Microsoft.Insights/dataCollectionRules",
        "'MSCI-westeurope-aks-contoso-shop-dev'",
        "main.bicep > azureMonitor > containerInsights",
    ) in names
    assert (
        "Microsoft.Insights/actionGroups",
        "'ag-contoso-shop-dev'",
        "main.bicep > azureMonitor > actionGroup",
    ) in names


def test_every_resource_has_one_owner() -> None:
    assert ownership(INFRA) == []


def test_a_second_container_insights_rule_is_found_naming_both_places(tmp_path: Path) -> None:
    infra = copy_templates(tmp_path / "infra")
    monitoring_module = tmp_path / "monitoring/azure/container-insights.bicep"
    infra_module = infra / "modules/container-insights.bicep"
    infra_module.write_text(monitoring_module.read_text())
    (infra / "main.bicep").write_text((infra / "main.bicep").read_text() + SECOND_RULE)
    rule = resource_line(infra_module, "Microsoft.Insights/dataCollectionRules@")
    association = resource_line(infra_module, "Microsoft.Insights/dataCollectionRuleAssociations@")

    findings = ownership(infra)

    assert [f.split(": [ownership] ")[0] for f in findings] == [
        f"{infra_module}:{rule}",
        f"{infra_module}:{association}",
    ]
    assert (
        "dataCollectionRules 'MSCI-${location}-${names.aks}' (main.bicep > containerInsightsAgain)"
        in findings[0]
    )
    assert f"also declared at {monitoring_module.resolve()}:{rule}" in findings[0]
    assert "(main.bicep > azureMonitor > containerInsights)" in findings[0]


def test_grafana_named_alike_only_through_the_parameter_files_is_found(tmp_path: Path) -> None:
    """monitoring/azure once built 'amg-shop-<env>' itself; infra/ names its Grafana so in env/."""
    infra = copy_templates(tmp_path / "infra")
    monitoring = tmp_path / "monitoring/azure"
    (monitoring / "managed-grafana.bicep").write_text(GRAFANA_MODULE)
    replace_in(
        monitoring / "monitoring.bicep",
        "module sagaWorkbook",
        GRAFANA_CALL.lstrip() + "\nmodule sagaWorkbook",
    )

    findings = ownership(infra)

    assert len(findings) == 1
    assert findings[0].startswith(f"{(monitoring / 'managed-grafana.bicep').resolve()}:4: [ownership]")
    via = "(main.bicep > azureMonitor > grafana, with dev.bicepparam)"
    assert f"Microsoft.Dashboard/grafana 'amg-shop-dev' {via}" in findings[0]
    assert f"also declared at {infra / 'modules/monitoring.bicep'}:" in findings[0]


def test_shop_infra_check_reads_the_monitoring_modules_and_reports_a_second_owner(
    repo_copy: Path, types_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    infra = repo_copy / "infra"
    action_group = repo_copy / "monitoring/azure/action-group.bicep"
    misspelt = replace_in(action_group, "    webhookReceivers: [", "    webhookReceiver: [")
    (infra / "modules/container-insights.bicep").write_text(
        (repo_copy / "monitoring/azure/container-insights.bicep").read_text()
    )
    (infra / "main.bicep").write_text((infra / "main.bicep").read_text() + SECOND_RULE)
    rule = resource_line(
        infra / "modules/container-insights.bicep", "Microsoft.Insights/dataCollectionRules@"
    )

    assert infra_check(["--repo", str(repo_copy), "--types", str(types_dir), "--no-checkov"]) == 1
    out = capsys.readouterr().out
    assert f"{action_group.resolve()}:{misspelt}: [types]" in out
    assert "webhookReceiver: unknown property" in out
    assert (
        f"infra/modules/container-insights.bicep:{rule}: [ownership] Microsoft.Insights/dataCollectionRules"
        in out
    )


def resource_line(path: Path, type_prefix: str) -> int:
    return next(
        number
        for number, text in enumerate(path.read_text().splitlines(), 1)
        if text.startswith("resource ") and type_prefix in text
    )
