"""Power BI projects (PBIR against their schemas, TMDL parsed and resolved), the Fabric successor
definition, the custom connector files and the deployment settings, each broken on purpose in one scratch
copy and reported against the file at fault."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from shoppower.validate.findings import Finding
from shoppower.validate.sandbox import SourcesCopy

OPS = "powerbi/OperationsRealtime"
DEVOPS = "powerbi/DevOpsMetrics"
SALES = "powerbi/SalesAnalytics"


def first(pattern: str) -> Callable[[SourcesCopy], str]:
    def find(copy: SourcesCopy) -> str:
        return next(copy.root.glob(pattern)).relative_to(copy.root).as_posix()

    return find


EDITS: list[tuple[str, str | Callable[[SourcesCopy], str], str, str, str]] = [
    (
        "page off the PBIR schema",
        first(f"{DEVOPS}.Report/definition/pages/*/page.json"),
        '"FitToPage"',
        '"Stretch"',
        "schema: at /displayOption",
    ),
    (
        "report.json off its schema",
        f"{SALES}.Report/definition/report.json",
        '"themeCollection"',
        '"theme"',
        "schema: at /",
    ),
    (
        "definition.pbir to a missing model",
        f"{SALES}.Report/definition.pbir",
        "../SalesAnalytics.SemanticModel",
        "../Sales.SemanticModel",
        "datasetReference.byPath '../Sales.SemanticModel' is not a semantic model folder",
    ),
    (
        "visual showing a missing measure",
        first(f"{OPS}.Report/definition/pages/*/visuals/*/visual.json"),
        '"Property": "',
        '"Property": "Gross ',
        "which the semantic model does not have",
    ),
    (
        "$schema without an offline copy",
        f"{DEVOPS}.Report/definition/version.json",
        "versionMetadata/1.0.0",
        "versionMetadata/9.9.9",
        "has no offline schema",
    ),
    (
        "measure naming a missing column",
        f"{SALES}.SemanticModel/definition/tables/Orders.tmdl",
        "SUM(Orders[TotalValue])",
        "SUM(Orders[Amount])",
        "measure 'Revenue': Orders[Amount] does not exist",
    ),
    (
        "measure naming a missing table",
        f"{DEVOPS}.SemanticModel/definition/tables/Deployments.tmdl",
        "DISTINCTCOUNT('Date'[Date])",
        "DISTINCTCOUNT(Calendar[Date])",
        "table 'Calendar' does not exist",
    ),
    (
        "measure naming a missing measure",
        f"{OPS}.SemanticModel/definition/tables/OrderEvents.tmdl",
        "DIVIDE([Failed Orders], [Orders Placed])",
        "DIVIDE([Failed Orders], [Orders])",
        "[Orders] is not a measure",
    ),
    (
        "relationship to a missing column",
        f"{SALES}.SemanticModel/definition/relationships.tmdl",
        "toColumn: Products.ProductId",
        "toColumn: Products.Sku",
        "toColumn 'Products.Sku' does not resolve",
    ),
    (
        "TMDL indented with spaces",
        f"{DEVOPS}.SemanticModel/definition/tables/Incidents.tmdl",
        "\tcolumn Severity",
        "    column Severity",
        "TMDL indents with tabs",
    ),
    (
        "model.tmdl ref to a missing table",
        f"{SALES}.SemanticModel/definition/model.tmdl",
        "ref table Products",
        "ref table Product",
        "ref table 'Product' has no tables/Product.tmdl",
    ),
    (
        "KQL table drifting from the push dataset",
        "fabric/ShopOperations.KQLDatabase/DatabaseSchema.kql",
        "CustomerDomain: string",
        "Domain: string",
        "differ from the push dataset's",
    ),
    (
        "eventstream to a missing KQL table",
        "fabric/OrderEvents.Eventstream/eventstream.json",
        '"tableName": "OrderEvents"',
        '"tableName": "Orders"',
        "table 'Orders' is not in the KQL schema",
    ),
    (
        "eventstream node fed by a missing node",
        "fabric/OrderEvents.Eventstream/eventstream.json",
        '"name": "order-events-stream"\n',
        '"name": "order-events-flow"\n',
        "input 'order-events-flow' does not exist",
    ),
    (
        "dashboard querying an undefined table",
        "fabric/OperationsRealtime.KQLDashboard/RealTimeDashboard.json",
        '"text": "OrdersPerMinute',
        '"text": "OrdersPerHour',
        "queries 'OrdersPerHour'",
    ),
    (
        "connector definition off the swagger schema",
        "connector/paconn/apiDefinition.swagger.json",
        '"swagger": "2.0"',
        '"swagger": "3.0"',
        "schema: at /swagger",
    ),
    (
        "connector properties off the apiProperties schema",
        "connector/paconn/apiProperties.json",
        '"redirectMode": "Global"',
        '"redirectMode": "Anywhere"',
        "schema: at /properties/connectionParameters/token",
    ),
    (
        "solution connector copy edited by hand",
        "solutions/ContosoShopCore/src/Connectors/csh_contoso-shop-api_policytemplateinstances.json",
        "Environment API host",
        "API host",
        "differs from connector/paconn (policytemplateinstances)",
    ),
    (
        "settings missing an environment variable",
        "deployment-settings/test/ContosoShopCore.json",
        '"SchemaName": "csh_ApprovalTimeoutHours"',
        '"SchemaName": "csh_ApprovalTimeout"',
        "environment variable csh_ApprovalTimeoutHours has no value",
    ),
    (
        "settings with a secret",
        "deployment-settings/prod/ContosoShopCore.json",
        '"Value": "api.contoso-shop.example"',
        '"Value": "Server=x;Password=hunter2"',
        "looks like a secret",
    ),
    (
        "settings with the wrong connector",
        "deployment-settings/dev/ContosoShopCore.json",
        "apis/shared_teams",
        "apis/shared_slack",
        "connection reference csh_teams: connector",
    ),
]


def _operation_not_generated(copy: SourcesCopy) -> Path:
    return copy.edit("connector/operations.yaml", "operationId: GetPayment", "operationId: GetPaymentStatus")


def _stray_powerbi_file(copy: SourcesCopy) -> Path:
    stray = copy.path(f"{SALES}.Report/definition/notes.txt")
    stray.write_text("x")
    return stray


def _duplicate_operation(copy: SourcesCopy) -> Path:
    path = copy.path("connector/paconn/apiDefinition.swagger.json")
    document = json.loads(path.read_text())
    document["paths"]["/categories"]["get"]["operationId"] = "ListProducts"
    path.write_text(json.dumps(document))
    return path


CHANGES: list[tuple[str, Callable[[SourcesCopy], Path], str]] = [
    (
        "operation listed but not generated",
        _operation_not_generated,
        "operation GetPaymentStatus is not in the generated connector",
    ),
    ("file unknown to the PBIR validator", _stray_powerbi_file, "unknown file type"),
    ("duplicate connector operation", _duplicate_operation, "operationId ListProducts is used twice"),
]


@pytest.fixture(scope="module")
def broken(
    tmp_path_factory: pytest.TempPathFactory, schemas_dir: Path
) -> tuple[dict[str, Path], list[Finding]]:
    copy = SourcesCopy(tmp_path_factory.mktemp("broken"))
    targets: dict[str, Path] = {}
    for case, file, old, new, _ in EDITS:
        targets[case] = copy.edit(file if isinstance(file, str) else file(copy), old, new)
    for case, change, _ in CHANGES:
        targets[case] = change(copy)
    return targets, copy.findings()


@pytest.mark.parametrize(
    ("case", "expected"),
    [(case, expected) for case, _, _, _, expected in EDITS]
    + [(case, expected) for case, _, expected in CHANGES],
)
def test_breakage_is_reported_against_the_file(
    broken: tuple[dict[str, Path], list[Finding]], case: str, expected: str
) -> None:
    targets, findings = broken
    messages = [f.message for f in findings if f.path == targets[case]]
    assert any(expected in m for m in messages), f"{case}: {targets[case]} got {messages}"
