"""Per-environment deployment settings (`pac solution create-settings` format): exactly the solution's
environment variables and connection references, matching connectors, values present, and no secrets."""

from __future__ import annotations

import re
from pathlib import Path

from shoppower.validate.catalog import Catalog
from shoppower.validate.findings import Finding
from shoppower.validate.jsonschemas import load_json, schema_findings

ENVIRONMENTS = ("dev", "test", "prod")
SETTINGS_SHAPE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["EnvironmentVariables", "ConnectionReferences"],
    "additionalProperties": False,
    "properties": {
        "EnvironmentVariables": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["SchemaName", "Value"],
                "additionalProperties": False,
                "properties": {"SchemaName": {"type": "string"}, "Value": {"type": "string", "minLength": 1}},
            },
        },
        "ConnectionReferences": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["LogicalName", "ConnectionId", "ConnectorId"],
                "additionalProperties": False,
                "properties": {
                    "LogicalName": {"type": "string"},
                    "ConnectionId": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
                    "ConnectorId": {"type": "string"},
                    "ConnectionOwner": {"type": "string"},
                },
            },
        },
    },
}
_SECRET = re.compile(r"(secret|password|pwd=|accountkey=|sharedaccesskey=|sig=|bearer )", re.IGNORECASE)


def check_settings(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    if path.parent.name not in ENVIRONMENTS:
        findings.append(Finding(path, f"settings live in one of {ENVIRONMENTS}, not {path.parent.name!r}"))
    settings = load_json(path, findings)
    if settings is None:
        return
    shape = schema_findings(path, settings, SETTINGS_SHAPE)
    findings.extend(shape)
    if shape:
        return
    variables = {v["SchemaName"]: v["Value"] for v in settings["EnvironmentVariables"]}
    for missing in sorted(catalog.environment_variables - set(variables)):
        findings.append(Finding(path, f"environment variable {missing} has no value"))
    for unknown in sorted(set(variables) - catalog.environment_variables):
        findings.append(Finding(path, f"environment variable {unknown} is not declared by the solution"))
    references = {r["LogicalName"]: r["ConnectorId"] for r in settings["ConnectionReferences"]}
    for missing in sorted(set(catalog.connection_references) - set(references)):
        findings.append(Finding(path, f"connection reference {missing} has no connection"))
    for name, connector in sorted(references.items()):
        declared = catalog.connection_references.get(name)
        if declared is None:
            findings.append(Finding(path, f"connection reference {name} is not declared by the solution"))
        elif declared != connector:
            findings.append(
                Finding(path, f"connection reference {name}: connector {connector} is not {declared}")
            )
    for name, value in variables.items():
        if _SECRET.search(value):
            findings.append(
                Finding(
                    path, f"environment variable {name} looks like a secret; use Key Vault-backed variables"
                )
            )
        if path.parent.name != "dev" and value.startswith("http://"):
            findings.append(Finding(path, f"environment variable {name}: plain http outside dev"))
