"""The Azure Monitor modules (monitoring/azure/*.bicep) infra/main.bicep calls: each parses, every resource
matches Azure's type definitions at its newest stable apiVersion (infra/tools' checker over the bicep-types
snapshot in /work/shared/schemas), parameters are described AVM-style, none creates what infra/ owns and
passes in, and the managed Prometheus rule groups hold the same rules as local Prometheus. That main.bicep
deploys them, each resource once, is infra/tools' test (test_ownership.py)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from shopinfra.azure_types import TypeLibrary
from shopinfra.findings import Finding
from shopinfra.syntax import parse_file
from shopinfra.type_check import TypeChecker
from shopmonitoring.rules import rule_groups

from .helpers import MONITORING

AZURE = MONITORING / "azure"
MODULES = sorted(AZURE.glob("*.bicep"))
BICEP_TYPES = MONITORING.parent.parent / "shared" / "schemas" / "bicep-types"
# What infra/ creates and passes to monitoring.bicep (ids, names): a module here must not create its own.
OWNED_BY_INFRA = frozenset(
    {
        "Microsoft.OperationalInsights/workspaces",
        "Microsoft.Insights/components",
        "Microsoft.Monitor/accounts",
        "Microsoft.Dashboard/grafana",
        "Microsoft.ContainerService/managedClusters",
    }
)


@pytest.fixture(scope="module")
def library() -> TypeLibrary:
    if not (BICEP_TYPES / "api-versions.json").is_file():
        pytest.fail(f"the bicep-types snapshot is missing at {BICEP_TYPES}")
    return TypeLibrary(BICEP_TYPES)


def type_findings(library: TypeLibrary, path: Path) -> tuple[list[Finding], list[Finding]]:
    """(findings, unchecked): unchecked are the types the snapshot lists without a definition."""
    checker = TypeChecker(library)
    findings = checker.check_file(parse_file(path))
    return findings, checker.unchecked


def created_here_but_owned_by_infra(paths: list[Path]) -> list[str]:
    """`file:line type` of every resource (not `existing`) of a type infra/ owns."""
    return [
        f"{path.name}:{resource.line} {resource.type_name}"
        for path in paths
        for resource in parse_file(path).resources
        if not resource.existing and resource.type_name in OWNED_BY_INFRA
    ]


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_every_resource_matches_its_type_at_the_newest_stable_api_version(
    library: TypeLibrary, module: Path
) -> None:
    findings, _ = type_findings(library, module)

    assert findings == [], "\n".join(map(str, findings))


def test_only_the_workbook_goes_unchecked(library: TypeLibrary) -> None:
    unchecked = [f for module in MODULES for f in type_findings(library, module)[1]]

    assert [(f.path.name, f.message.split(":")[0]) for f in unchecked] == [
        ("saga-workbook.bicep", "Microsoft.Insights/workbooks@2023-06-01")
    ]


def test_a_misspelt_property_is_found_naming_file_and_line(library: TypeLibrary, tmp_path: Path) -> None:
    broken = tmp_path / "action-group.bicep"
    text = (AZURE / "action-group.bicep").read_text()
    broken.write_text(text.replace("    webhookReceivers: [", "    webhookReceiver: ["))
    line = next(n for n, row in enumerate(broken.read_text().splitlines(), 1) if "webhookReceiver:" in row)

    findings, _ = type_findings(library, broken)

    assert [(f.path, f.line) for f in findings] == [(broken, line)]
    assert "webhookReceiver" in findings[0].message


def test_an_old_api_version_is_found(library: TypeLibrary, tmp_path: Path) -> None:
    broken = tmp_path / "container-insights.bicep"
    broken.write_text(
        (AZURE / "container-insights.bicep")
        .read_text()
        .replace("dataCollectionRules@2024-03-11", "dataCollectionRules@2022-06-01")
    )

    findings, _ = type_findings(library, broken)

    assert any("not the newest stable apiVersion (2024-03-11)" in f.message for f in findings), findings


def test_nothing_here_creates_what_infra_owns() -> None:
    assert created_here_but_owned_by_infra(MODULES) == []


def test_a_module_creating_its_own_workspace_is_named(tmp_path: Path) -> None:
    copy = tmp_path / "log-analytics.bicep"
    copy.write_text(
        "param name string\n\n"
        "resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {\n"
        "  name: name\n  location: resourceGroup().location\n}\n"
    )

    assert created_here_but_owned_by_infra([*MODULES, copy]) == [
        "log-analytics.bicep:3 Microsoft.OperationalInsights/workspaces"
    ]


PARAM = re.compile(r"^param (\w+) ", re.M)


def param_descriptions(text: str) -> dict[str, str]:
    """Parameter -> its ``@description(...)`` line among the decorators right above it ("" when none)."""
    lines = text.splitlines()
    described = {}
    for number, line in enumerate(lines):
        if match := PARAM.match(line):
            above = number - 1
            while above >= 0 and lines[above].strip() and not lines[above].startswith("@description("):
                above -= 1
            found = above >= 0 and lines[above].startswith("@description(")
            described[match.group(1)] = lines[above] if found else ""
    return described


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_every_parameter_is_described_as_required_or_optional(module: Path) -> None:
    for name, description in param_descriptions(module.read_text()).items():
        assert description.startswith(("@description('Required.", "@description('Optional.")), (
            f"{module.name}: {name}"
        )


def test_a_parameter_without_a_description_is_noticed() -> None:
    text = "@description('Required. A.')\nparam a string\n\nparam b string\n"

    assert param_descriptions(text) == {"a": "@description('Required. A.')", "b": ""}


def test_every_module_monitoring_bicep_calls_exists() -> None:
    called = re.findall(r"^module \w+ '([^']+)'", (AZURE / "monitoring.bicep").read_text(), re.M)

    assert called
    assert all((AZURE / path).is_file() for path in called), called
    assert {path.name for path in MODULES} - {"monitoring.bicep"} == set(called)


def test_the_managed_prometheus_rule_groups_hold_the_same_rules_as_local_prometheus() -> None:
    text = (AZURE / "prometheus-rule-groups.bicep").read_text()
    [embedded] = re.findall(r"json\('''(.*?)'''\)", text, re.S)
    groups = json.loads(embedded)

    assert [g["name"] for g in groups] == [g["name"] for g in rule_groups()]
    for azure, local in zip(groups, rule_groups(), strict=True):
        assert [r.get("alert") or r["record"] for r in azure["rules"]] == [
            r.get("alert") or r["record"] for r in local["rules"]
        ]
        assert [r["expression"] for r in azure["rules"]] == [r["expr"] for r in local["rules"]]


def test_the_saga_workbook_is_valid_json_with_log_queries() -> None:
    workbook = json.loads((AZURE / "saga-workbook.json").read_text())

    queries = [item["content"]["query"] for item in workbook["items"] if item["type"] == 3]
    assert workbook["version"] == "Notebook/1.0"
    assert len(queries) == 4
    assert all("ContainerLogV2" in query and "contoso-shop" in query for query in queries)


def test_the_modules_can_be_copied_next_to_each_other(tmp_path: Path) -> None:
    """infra/ may vendor the folder: modules refer to each other and to the workbook JSON relatively."""
    copy = shutil.copytree(AZURE, tmp_path / "azure")
    references = re.findall(
        r"(?:module \w+ |loadTextContent\()'([^']+)'", "".join(p.read_text() for p in copy.glob("*.bicep"))
    )

    assert references
    assert all((copy / ref).is_file() for ref in references), references
