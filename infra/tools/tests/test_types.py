from __future__ import annotations

from pathlib import Path

from infra_helpers import INFRA, copy_templates, replace_in
from shopinfra.azure_types import TypeLibrary
from shopinfra.checks import template_files
from shopinfra.findings import Finding
from shopinfra.syntax import parse_file, parse_text
from shopinfra.type_check import TypeChecker


def check(types_dir: Path, path: Path) -> tuple[list[Finding], list[Finding]]:
    checker = TypeChecker(TypeLibrary(types_dir))
    return checker.check_file(parse_file(path)), checker.unchecked


def check_text(types_dir: Path, tmp_path: Path, text: str) -> tuple[list[Finding], list[Finding]]:
    path = tmp_path / "snippet.bicep"
    path.write_text(text, encoding="utf-8")
    return check(types_dir, path)


QUEUE = """resource ns 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: 'sbns-x'
}

resource q 'Microsoft.ServiceBus/namespaces/queues@%s' = {
  parent: ns
  name: 'payment-requests'
  properties: {
    maxDeliveryCount: 5
%s  }
}
"""


def test_every_repo_template_matches_the_type_definitions(types_dir: Path) -> None:
    checker = TypeChecker(TypeLibrary(types_dir))
    findings = [
        f for p in template_files(INFRA) if p.suffix == ".bicep" for f in checker.check_file(parse_file(p))
    ]
    assert findings == []
    assert checker.unchecked, "diagnostic settings have no definition in the snapshot and must be reported"


def test_misspelt_property_fails_naming_file_line_and_suggestion(types_dir: Path, tmp_path: Path) -> None:
    infra = copy_templates(tmp_path / "infra")
    module = infra / "modules/cosmos-db.bicep"
    line = replace_in(module, "disableLocalAuth: true", "disableLocalAuthentication: true")
    findings, _ = check(types_dir, module)
    assert [(f.path, f.line) for f in findings] == [(module, line)]
    assert (
        "properties.disableLocalAuthentication: unknown property (did you mean 'disableLocalAuth'?)"
        in str(findings[0])
    )


def test_old_api_version_fails(types_dir: Path, tmp_path: Path) -> None:
    findings, _ = check_text(types_dir, tmp_path, QUEUE % ("2021-11-01", ""))
    assert [f.line for f in findings] == [5]
    assert "not the newest stable apiVersion (2026-01-01)" in findings[0].message


def test_api_version_that_does_not_exist_fails(types_dir: Path, tmp_path: Path) -> None:
    findings, _ = check_text(types_dir, tmp_path, QUEUE % ("2026-13-01", ""))
    assert "apiVersion does not exist" in findings[0].message


def test_read_only_property_set_fails(types_dir: Path, tmp_path: Path) -> None:
    findings, _ = check_text(types_dir, tmp_path, QUEUE % ("2026-01-01", "    messageCount: 3\n"))
    assert [(f.line, f.message.split(": ", 1)[1]) for f in findings] == [
        (10, "properties.messageCount: read-only property cannot be set")
    ]


def test_missing_required_property_fails(types_dir: Path, tmp_path: Path) -> None:
    text = """resource id 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: 'id-x'
}

resource fed 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2024-11-30' = {
  parent: id
  name: 'aks'
  properties: {
    subject: 'system:serviceaccount:contoso-shop-dev:order'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}
"""
    findings, _ = check_text(types_dir, tmp_path, text)
    assert [(f.line, "properties.issuer: required property missing" in f.message) for f in findings] == [
        (8, True)
    ]


def test_value_outside_a_closed_enum_fails(types_dir: Path, tmp_path: Path) -> None:
    text = """resource server 'Microsoft.Sql/servers@2025-01-01' existing = {
  name: 'sql-x'
}

resource audit 'Microsoft.Sql/servers/auditingSettings@2025-01-01' = {
  parent: server
  name: 'default'
  properties: {
    state: 'On'
  }
}
"""
    findings, _ = check_text(types_dir, tmp_path, text)
    assert [f.line for f in findings] == [9]
    assert "'On' is not one of ['Disabled', 'Enabled']" in findings[0].message


def test_wrong_scalar_type_fails(types_dir: Path, tmp_path: Path) -> None:
    findings, _ = check_text(types_dir, tmp_path, QUEUE % ("2026-01-01", "    requiresSession: 'no'\n"))
    assert [(f.line, "expects a boolean" in f.message) for f in findings] == [(10, True)]


def test_provider_outside_the_snapshot_is_reported_unchecked(types_dir: Path, tmp_path: Path) -> None:
    text = "resource site 'Microsoft.Web/sites@2024-04-01' = {\n  name: 'app'\n  location: 'westeurope'\n}\n"
    findings, unchecked = check_text(types_dir, tmp_path, text)
    assert findings == []
    assert [u.line for u in unchecked] == [1]
    assert "unchecked" in unchecked[0].message


def test_diagnostic_settings_must_use_the_newest_preview(types_dir: Path, tmp_path: Path) -> None:
    text = """resource diag 'Microsoft.Insights/diagnosticSettings@2016-09-01' = {
  name: 'service'
  location: 'westeurope'
}
"""
    findings, _ = check_text(types_dir, tmp_path, text)
    assert "not the newest apiVersion (2021-05-01-preview)" in findings[0].message


def test_loop_bodies_are_checked_per_item(types_dir: Path) -> None:
    text = QUEUE.replace("= {\n  parent: ns", "= [for n in ['a']: {\n  parent: ns").replace(
        "  }\n}\n", "  }\n}]\n"
    )
    parsed = parse_text(Path("loop.bicep"), text % ("2026-01-01", "    lockDurationn: 'PT1M'\n"))
    findings = TypeChecker(TypeLibrary(types_dir)).check_file(parsed)
    assert [f.line for f in findings] == [10]
