"""Solution XML, tables, roles, apps, flows, canvas source and bots, each broken on purpose in one scratch
copy (independent files, validated once), each reported against the file at fault with what is wrong.

The clean sources pass (test_repository_sources.py), so every finding here comes from the breakage."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from shoppower.validate.findings import Finding
from shoppower.validate.sandbox import SourcesCopy

CORE = "solutions/ContosoShopCore/src/"
APPS = "solutions/ContosoShopApps/src/"
FLOWS = "solutions/ContosoShopFlows/src/"
BOTS = "solutions/ContosoShopBots/src/"


def flow(name: str) -> Callable[[SourcesCopy], str]:
    def find(copy: SourcesCopy) -> str:
        return next(copy.path(FLOWS + "Workflows").glob(f"{name}-*.json")).relative_to(copy.root).as_posix()

    return find


def first(pattern: str) -> Callable[[SourcesCopy], str]:
    def find(copy: SourcesCopy) -> str:
        return next(copy.root.glob(pattern)).relative_to(copy.root).as_posix()

    return find


# (case, file, old text, new text, expected message fragment); file is a path or a finder
EDITS: list[tuple[str, str | Callable[[SourcesCopy], str], str, str, str]] = [
    (
        "malformed XML",
        BOTS + "Other/Customizations.xml",
        "</Languages>",
        "</Language>",
        "XML is not well formed",
    ),
    (
        "component not in Solution.xml",
        CORE + "Other/Solution.xml",
        '<RootComponent type="9" schemaName="csh_incidentseverity" behavior="0" />',
        "",
        "__see on-disk case__",
    ),
    (
        "unknown root component type",
        APPS + "Other/Solution.xml",
        "<RootComponents>",
        '<RootComponents><RootComponent type="9999" schemaName="x" />',
        "root component type 9999",
    ),
    (
        "lookup to a missing table",
        CORE + "Entities/csh_Approval/Entity.xml",
        "<LookupType>csh_deploymentrequest<",
        "<LookupType>csh_release<",
        "lookup target 'csh_release' is not a table",
    ),
    (
        "choice not declared",
        CORE + "Entities/csh_Incident/Entity.xml",
        "<OptionSetName>csh_incidentseverity<",
        "<OptionSetName>csh_priority<",
        "choice 'csh_priority' is not declared",
    ),
    (
        "privilege on a missing table",
        CORE + "Roles/Release Manager.xml",
        "prvReadcsh_Incident",
        "prvReadcsh_Outage",
        "privilege prvReadcsh_Outage is on 'csh_Outage', not a table",
    ),
    (
        "view column the table lacks",
        first(CORE + "Entities/csh_Incident/SavedQueries/*.xml"),
        '<attribute name="csh_severity" />',
        '<attribute name="csh_priority" />',
        "view uses 'csh_priority'",
    ),
    (
        "form binding a missing column",
        first(CORE + "Entities/csh_Approval/FormXml/main/*.xml"),
        'datafieldname="csh_approver"',
        'datafieldname="csh_signer"',
        "form control binds 'csh_signer'",
    ),
    (
        "relationship on a missing column",
        CORE + "Other/Relationships/csh_Incident.xml",
        "<ReferencingAttributeName>csh_IncidentId<",
        "<ReferencingAttributeName>csh_Incident<",
        "'csh_incident' is not a column of csh_botescalation",
    ),
    (
        "flow connection reference not declared",
        flow("IncidentManagement"),
        '"connectionReferenceLogicalName": "csh_teams"',
        '"connectionReferenceLogicalName": "csh_slack"',
        "connection reference csh_slack is not declared",
    ),
    (
        "flow environment variable not declared",
        flow("OrderNotifications"),
        '"schemaName": "csh_HighValueOrderThreshold"',
        '"schemaName": "csh_BigOrder"',
        "environment variable csh_BigOrder is not declared",
    ),
    (
        "flow expression naming a missing action",
        flow("DeploymentApproval"),
        "outputs('Create_deployment_request')",
        "outputs('Create_request')",
        "expression refers to action 'Create_request', which does not exist",
    ),
    (
        "flow runAfter a missing action",
        flow("DeploymentApprovalStatus"),
        '"Find_deployment_request": [',
        '"Find_request": [',
        "runAfter 'Find_request' is not an action of its scope",
    ),
    (
        "flow off the definition-language shape",
        flow("InfrastructureAlerts"),
        '"type": "Switch"',
        '"type": "Swtich"',
        "schema: at /properties/definition/actions/Classify/type",
    ),
    (
        "flow sidecar naming another file",
        first(FLOWS + "Workflows/OrderNotifications-*.data.xml"),
        "<JsonFileName>/Workflows/",
        "<JsonFileName>/Workflows/old-",
        "JsonFileName is not",
    ),
    (
        "pa.yaml control type off the schema",
        APPS + "CanvasApps/csh_adminportal/Src/RefundsScreen.pa.yaml",
        "Control: Button",
        "Control: button",
        "schema: at /Screens/RefundsScreen/Children/",
    ),
    (
        "pa.yaml formula without =",
        APPS + "CanvasApps/csh_ordertracking/Src/TrackScreen.pa.yaml",
        'Text: ="Track an order"',
        'Text: "Track an order"',
        "schema: at /Screens/TrackScreen/Children/0/TrackTitle",
    ),
    (
        "pa.yaml that is not YAML",
        APPS + "CanvasApps/csh_ordertracking/Src/App.pa.yaml",
        "Theme: =PowerAppsTheme",
        "Theme: =Set(x: 1)",
        "not valid YAML",
    ),
    (
        "canvas call to a missing connector operation",
        APPS + "CanvasApps/csh_adminportal/Src/OrdersScreen.pa.yaml",
        "ContosoShopAPI.CancelOrder(",
        "ContosoShopAPI.Cancel(",
        "formula calls ContosoShopAPI.Cancel, not an operation of the custom connector",
    ),
    (
        "canvas navigation to a missing screen",
        APPS + "CanvasApps/csh_adminportal/Src/CatalogScreen.pa.yaml",
        "Navigate(OrdersScreen",
        "Navigate(OrderScreen",
        "formula navigates to 'OrderScreen', not a screen of this app",
    ),
    (
        "canvas connection reference not declared",
        APPS + "CanvasApps/csh_ordertracking.meta.xml",
        "csh_dataverse",
        "csh_sharepoint",
        "connection reference 'csh_sharepoint' is not declared",
    ),
    (
        "model-driven app component missing",
        APPS + "AppModules/csh_DevOpsApprovals/AppModule.xml",
        'schemaName="csh_incident"',
        'schemaName="csh_outage"',
        "app component type 1 'csh_outage' does not exist",
    ),
    (
        "site map area on a missing table",
        APPS + "AppModuleSiteMaps/csh_DevOpsApprovals/AppModuleSiteMap.xml",
        'Entity="csh_approval"',
        'Entity="csh_signoff"',
        "shows 'csh_signoff', not a table",
    ),
    (
        "topic calling a missing connector operation",
        BOTS + "botcomponents/csh_orderStatus.topic.OrderStatus/data",
        "operationId: ListOrders",
        "operationId: FindOrders",
        "'FindOrders' is not a custom connector operation",
    ),
    (
        "topic connection reference not declared",
        BOTS + "botcomponents/csh_customerSupport.topic.RecordEscalation/data",
        "connectionReference: csh_dataverse",
        "connectionReference: csh_crm",
        "connection reference 'csh_crm' is not declared",
    ),
    (
        "topic action of unknown kind",
        BOTS + "botcomponents/csh_itHelpdesk.topic.AppAccess/data",
        "kind: SendActivity",
        "kind: SendCard",
        "unknown kind 'SendCard'",
    ),
    (
        "intent topic without trigger queries",
        BOTS + "botcomponents/csh_itHelpdesk.topic.OnCall/data",
        "triggerQueries:",
        "examples:",
        "needs triggerQueries",
    ),
    (
        "topic that is not YAML",
        BOTS + "botcomponents/csh_customerSupport.topic.Greeting/data",
        "kind: AdaptiveDialog",
        "kind: [AdaptiveDialog",
        "not valid YAML",
    ),
    (
        "BeginDialog to a missing topic",
        BOTS + "botcomponents/csh_customerSupport.topic.Escalate/data",
        "topic.RecordEscalation",
        "topic.Record",
        "dialog 'csh_customerSupport.topic.Record' does not exist",
    ),
    (
        "component of a missing bot",
        BOTS + "botcomponents/csh_itHelpdesk.gpt.default/botcomponent.xml",
        "<schemaname>csh_itHelpdesk<",
        "<schemaname>csh_helpdesk<",
        "parent bot 'csh_helpdesk' does not exist",
    ),
    (
        "component set missing a topic",
        BOTS + "Assets/botcomponent_csh_orderStatusset.xml",
        '  <botcomponent schemaname="csh_orderStatus.topic.Greeting" />\n',
        "",
        "bot component 'csh_orderStatus.topic.Greeting' is on disk but not listed",
    ),
]


def _contract_drift(copy: SourcesCopy) -> Path:
    path = copy.path(flow("DeploymentApproval")(copy))
    document = json.loads(path.read_text())
    document["properties"]["definition"]["triggers"]["manual"]["inputs"]["schema"]["required"].remove(
        "commit"
    )
    path.write_text(json.dumps(document))
    return path


def _missing_envvar(copy: SourcesCopy) -> Path:
    shutil.rmtree(copy.path(CORE + "environmentvariabledefinitions/csh_OnCallTeamId"))
    return copy.path(CORE + "Other/Solution.xml")


def _stray_file(copy: SourcesCopy) -> Path:
    stray = copy.path(CORE + "Entities/csh_Incident/notes.md")
    stray.write_text("todo")
    return stray


def _unlisted_on_disk(copy: SourcesCopy) -> Path:
    return copy.path(CORE + "OptionSets/csh_incidentseverity.xml")  # its root component is removed in EDITS


CHANGES: list[tuple[str, Callable[[SourcesCopy], Path], str]] = [
    ("approval trigger drifting from the contract", _contract_drift, "the contract"),
    (
        "listed component missing on disk",
        _missing_envvar,
        "environment variable 'csh_oncallteamid' is listed but not on disk",
    ),
    ("file no validator knows", _stray_file, "unknown file type"),
    (
        "component on disk not in Solution.xml",
        _unlisted_on_disk,
        "choice 'csh_incidentseverity' is on disk but not in",
    ),
]


@pytest.fixture(scope="module")
def broken(
    tmp_path_factory: pytest.TempPathFactory, schemas_dir: Path
) -> tuple[SourcesCopy, dict[str, Path], list[Finding]]:
    copy = SourcesCopy(tmp_path_factory.mktemp("broken"))
    targets: dict[str, Path] = {}
    for case, file, old, new, _ in EDITS:
        relative = file if isinstance(file, str) else file(copy)
        targets[case] = copy.edit(relative, old, new)
    for case, change, _ in CHANGES:
        targets[case] = change(copy)
    return copy, targets, copy.findings()


@pytest.mark.parametrize(
    ("case", "expected"),
    [(case, expected) for case, _, _, _, expected in EDITS if not expected.startswith("__")]
    + [(case, expected) for case, _, expected in CHANGES],
)
def test_breakage_is_reported_against_the_file(
    broken: tuple[SourcesCopy, dict[str, Path], list[Finding]], case: str, expected: str
) -> None:
    _, targets, findings = broken
    messages = [f.message for f in findings if f.path == targets[case]]
    assert any(expected in m for m in messages), f"{case}: {targets[case]} got {messages}"


def test_yaml_and_xml_errors_carry_a_line(broken: tuple[SourcesCopy, dict[str, Path], list[Finding]]) -> None:
    _, targets, findings = broken
    for case in ("malformed XML", "pa.yaml that is not YAML", "topic that is not YAML"):
        lines = [f.line for f in findings if f.path == targets[case]]
        assert lines, case
        assert all(lines), case
