"""Cloud flow JSON (Workflows/*.json) and its .data.xml sidecar.

No public copy of the Logic Apps workflow definition schema exists, so the definition is checked against
the documented language structurally (``FLOW_SHAPE`` below: envelope, one trigger, typed actions, runAfter
statuses) and then for references: runAfter and ``body()/outputs()/actions()`` name real actions,
``parameters()`` name declared parameters, environment-variable parameters and connection references are
declared by the solutions, and each connector action's connection matches its API.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from shoppower.approvals.contract import load_contract
from shoppower.validate.catalog import Catalog
from shoppower.validate.findings import Finding
from shoppower.validate.jsonschemas import load_json, schema_findings
from shoppower.validate.xmlfiles import parse_xml

WDL_SCHEMA = "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#"
ACTION_TYPES = [
    "OpenApiConnection",
    "OpenApiConnectionWebhook",
    "Http",
    "Response",
    "Compose",
    "If",
    "Switch",
    "Scope",
    "Foreach",
    "Until",
    "InitializeVariable",
    "SetVariable",
    "AppendToArrayVariable",
    "Terminate",
    "Wait",
    "ParseJson",
    "Query",
    "Select",
    "Table",
    "Join",
    "Expression",
    "Workflow",
]
TRIGGER_TYPES = [
    "Request",
    "Recurrence",
    "OpenApiConnection",
    "OpenApiConnectionWebhook",
    "OpenApiConnectionNotification",
]
RUN_STATUSES = ["Succeeded", "Failed", "Skipped", "TimedOut"]

FLOW_SHAPE: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["properties", "schemaVersion"],
    "properties": {
        "schemaVersion": {"const": "1.0.0.0"},
        "properties": {
            "type": "object",
            "required": ["connectionReferences", "definition"],
            "properties": {
                "connectionReferences": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["runtimeSource", "connection", "api"],
                        "properties": {
                            "connection": {"required": ["connectionReferenceLogicalName"]},
                            "api": {"required": ["name"]},
                        },
                    },
                },
                "definition": {
                    "type": "object",
                    "required": ["$schema", "contentVersion", "parameters", "triggers", "actions"],
                    "additionalProperties": False,
                    "properties": {
                        "$schema": {"const": WDL_SCHEMA},
                        "contentVersion": {"type": "string"},
                        "description": {"type": "string"},
                        "outputs": {"type": "object"},
                        "parameters": {
                            "type": "object",
                            "required": ["$connections", "$authentication"],
                            "additionalProperties": {"type": "object", "required": ["type"]},
                        },
                        "triggers": {
                            "type": "object",
                            "minProperties": 1,
                            "maxProperties": 1,
                            "additionalProperties": {
                                "type": "object",
                                "required": ["type"],
                                "properties": {"type": {"enum": TRIGGER_TYPES}},
                            },
                        },
                        "actions": {"$ref": "#/definitions/actions", "minProperties": 1},
                    },
                },
            },
        },
    },
    "definitions": {
        "actions": {"type": "object", "additionalProperties": {"$ref": "#/definitions/action"}},
        "action": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"enum": ACTION_TYPES},
                "runAfter": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "minItems": 1, "items": {"enum": RUN_STATUSES}},
                },
                "actions": {"$ref": "#/definitions/actions"},
                "else": {"type": "object", "properties": {"actions": {"$ref": "#/definitions/actions"}}},
                "default": {"type": "object", "properties": {"actions": {"$ref": "#/definitions/actions"}}},
                "cases": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["case", "actions"],
                        "properties": {"actions": {"$ref": "#/definitions/actions"}},
                    },
                },
            },
            "allOf": [
                {
                    "if": {
                        "properties": {"type": {"enum": ["OpenApiConnection", "OpenApiConnectionWebhook"]}}
                    },
                    "then": {
                        "required": ["inputs"],
                        "properties": {
                            "inputs": {
                                "required": ["host"],
                                "properties": {
                                    "host": {"required": ["connectionName", "operationId", "apiId"]}
                                },
                            }
                        },
                    },
                },
                {
                    "if": {"properties": {"type": {"const": "If"}}},
                    "then": {"required": ["expression", "actions"]},
                },
                {
                    "if": {"properties": {"type": {"const": "Switch"}}},
                    "then": {"required": ["expression", "cases"]},
                },
            ],
        },
    },
}

_ACTION_REF = re.compile(r"\b(?:body|outputs|actions|result)\('([^']+)'\)")
_PARAMETER_REF = re.compile(r"\bparameters\('([^']+)'\)")


def _action_scopes(actions: dict[str, Any]) -> list[dict[str, Any]]:
    """Every actions map (each a runAfter scope), nested ones included."""
    scopes = [actions]
    for action in actions.values():
        nested = [
            action.get("actions"),
            action.get("else", {}).get("actions"),
            action.get("default", {}).get("actions"),
        ]
        nested += [case.get("actions") for case in action.get("cases", {}).values()]
        for child in nested:
            if isinstance(child, dict):
                scopes.extend(_action_scopes(child))
    return scopes


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in [key, *_strings(value)]]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def check_flow(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    flow = load_json(path, findings)
    if flow is None:
        return
    shape = schema_findings(path, flow, FLOW_SHAPE)
    findings.extend(shape)
    if shape:
        return
    definition = flow["properties"]["definition"]
    references = flow["properties"]["connectionReferences"]
    scopes = _action_scopes(definition["actions"])
    names = {name for scope in scopes for name in scope}
    for scope in scopes:
        for name, action in scope.items():
            for predecessor in action.get("runAfter", {}):
                if predecessor not in scope:
                    findings.append(
                        Finding(
                            path, f"action {name}: runAfter {predecessor!r} is not an action of its scope"
                        )
                    )
            if action["type"] in ("OpenApiConnection", "OpenApiConnectionWebhook"):
                host = action["inputs"]["host"]
                reference = references.get(host["connectionName"])
                if reference is None:
                    findings.append(
                        Finding(
                            path,
                            f"action {name}: {host['connectionName']!r} is not in connectionReferences",
                        )
                    )
                elif not host["apiId"].endswith("/" + reference["api"]["name"]):
                    findings.append(
                        Finding(
                            path, f"action {name}: apiId {host['apiId']} is not {reference['api']['name']}"
                        )
                    )
    text = _strings(definition)
    for referenced in sorted({m for s in text for m in _ACTION_REF.findall(s)} - names):
        findings.append(Finding(path, f"expression refers to action {referenced!r}, which does not exist"))
    parameters = definition["parameters"]
    for referenced in sorted({m for s in text for m in _PARAMETER_REF.findall(s)} - set(parameters)):
        findings.append(
            Finding(path, f"expression refers to parameter {referenced!r}, which is not declared")
        )
    for name, parameter in parameters.items():
        schema_name = parameter.get("metadata", {}).get("schemaName")
        if schema_name is not None and schema_name not in catalog.environment_variables:
            findings.append(
                Finding(path, f"parameter {name!r}: environment variable {schema_name} is not declared")
            )
    for key, reference in references.items():
        logical = reference["connection"]["connectionReferenceLogicalName"]
        if logical not in catalog.connection_references:
            findings.append(
                Finding(path, f"connection {key!r}: connection reference {logical} is not declared")
            )
        elif not catalog.connection_references[logical].endswith("/" + reference["api"]["name"]):
            findings.append(
                Finding(path, f"connection {key!r}: {logical} is a connection to another connector")
            )
    if path.name.startswith("DeploymentApproval-"):
        _check_release_contract(path, definition, findings)


def _check_release_contract(path: Path, definition: dict[str, Any], findings: list[Finding]) -> None:
    """The approval flow's HTTP trigger accepts what the shared contract says the pipelines send."""
    contract = load_contract()["components"]["schemas"]["ReleaseManifest"]
    trigger = next(iter(definition["triggers"].values()))
    schema = trigger.get("inputs", {}).get("schema", {})
    if sorted(schema.get("required", [])) != sorted(contract["required"]):
        findings.append(
            Finding(
                path, f"trigger schema requires {schema.get('required')}, the contract {contract['required']}"
            )
        )
    if set(schema.get("properties", {})) != set(contract["properties"]):
        findings.append(Finding(path, "trigger schema properties differ from the contract's ReleaseManifest"))


def check_flow_data(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    if root is None:
        return
    json_name = path.name.removesuffix(".data.xml")
    if (root.findtext("JsonFileName") or "").strip() != f"/Workflows/{json_name}":
        findings.append(Finding(path, f"JsonFileName is not /Workflows/{json_name}"))
    if not (path.parent / json_name).is_file():
        findings.append(Finding(path, f"flow definition {json_name} is missing"))
    if (root.findtext("Category") or "").strip() != "5":
        findings.append(Finding(path, "Category must be 5 (modern cloud flow)"))
    workflow_id = (root.get("WorkflowId") or "").strip("{}").upper()
    if not json_name.removesuffix(".json").endswith(workflow_id):
        findings.append(Finding(path, "WorkflowId differs from the id in the file name"))
