"""The custom connector: the paconn files against the connector schemas, and the solution's copies equal
to them (both are written by the generator; a hand edit to one of them shows here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shoppower.schemas import connector_schema
from shoppower.validate.findings import Finding
from shoppower.validate.jsonschemas import load_json, schema_findings
from shoppower.validate.openapi_refs import unresolved_refs

PACONN_SCHEMAS = {
    "apiDefinition.swagger.json": "apiDefinition.swagger.schema.json",
    "apiProperties.json": "paconn-apiProperties.schema.json",
    "settings.json": "paconn-settings.schema.json",
}


def check_paconn_file(path: Path, findings: list[Finding]) -> None:
    document = load_json(path, findings)
    if document is None:
        return
    findings.extend(schema_findings(path, document, connector_schema(PACONN_SCHEMAS[path.name])))
    if path.name == "apiDefinition.swagger.json":
        for ref in unresolved_refs(document):
            findings.append(Finding(path, f"$ref {ref} does not resolve"))
        operation_ids = [
            op["operationId"]
            for item in document.get("paths", {}).values()
            for op in item.values()
            if isinstance(op, dict) and "operationId" in op
        ]
        for duplicate in sorted({o for o in operation_ids if operation_ids.count(o) > 1}):
            findings.append(Finding(path, f"operationId {duplicate} is used twice"))


def _paconn_part(paconn: Path, suffix: str, findings: list[Finding]) -> Any:
    if suffix == "openapidefinition":
        return load_json(paconn / "apiDefinition.swagger.json", findings)
    properties = load_json(paconn / "apiProperties.json", findings) or {}
    key = {
        "connectionparameters": "connectionParameters",
        "policytemplateinstances": "policyTemplateInstances",
    }[suffix]
    return properties.get("properties", {}).get(key)


def check_solution_connector_file(path: Path, paconn: Path, findings: list[Finding]) -> None:
    document = load_json(path, findings)
    if document is None:
        return
    suffix = path.stem.rsplit("_", 1)[1]
    expected = _paconn_part(paconn, suffix, [])
    if json.dumps(document, sort_keys=True) != json.dumps(expected, sort_keys=True):
        findings.append(
            Finding(path, f"differs from connector/paconn ({suffix}); run `make power-platform-connector`")
        )
