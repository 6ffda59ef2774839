"""The Fabric Real-Time Intelligence definition (successor of the push dataset): item .platform files
against their schema, the Eventstream graph (every input node exists; order-events in, the KQL table out),
the KQL database schema, and the dashboard's queries naming only what the database defines. The KQL
OrderEvents table must carry the same columns as the push dataset's table in the operations model, so the
dashboard moves over without a reshaping step."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from shoppower.validate import tmdl
from shoppower.validate.findings import Finding
from shoppower.validate.jsonschemas import load_json, schema_findings
from shoppower.validate.pbip import check_json

EVENTSTREAM_SHAPE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["sources", "destinations", "streams"],
    "properties": {
        "sources": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/node"}},
        "streams": {"type": "array", "items": {"$ref": "#/definitions/node"}},
        "operators": {"type": "array", "items": {"$ref": "#/definitions/node"}},
        "destinations": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/node"}},
    },
    "definitions": {
        "node": {
            "type": "object",
            "required": ["name", "type", "properties"],
            "properties": {
                "inputNodes": {"type": "array", "items": {"type": "object", "required": ["name"]}}
            },
        }
    },
}
_TABLE = re.compile(r"^\.create(?:-merge)? table (\w+) \(([^)]*)\)", re.MULTILINE)
_NAMED = re.compile(
    r"^\.create-or-alter (?:materialized-view (?:with \([^)]*\) )?(\w+)"
    r"|function (?:with \([^)]*\) )?(\w+)\()",
    re.MULTILINE,
)


def kql_schema(path: Path) -> tuple[dict[str, dict[str, str]], set[str]]:
    """Tables (name → column → type) and the other names (views, functions) a KQL script defines."""
    text = path.read_text(encoding="utf-8")
    tables = {
        name: {c.split(":")[0].strip(): c.split(":")[1].strip() for c in columns.split(",") if ":" in c}
        for name, columns in _TABLE.findall(text)
    }
    others = {a or b for a, b in _NAMED.findall(text)}
    return tables, others


def _nodes(stream: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for key in ("sources", "streams", "operators", "destinations") for n in stream.get(key, [])]


def check_fabric(root: Path, powerbi: Path, findings: list[Finding]) -> set[Path]:
    covered: set[Path] = set()
    for platform in sorted(root.glob("*/.platform")):
        check_json(platform, findings)
        covered.add(platform)
    tables: dict[str, dict[str, str]] = {}
    names: set[str] = set()
    for script in sorted(root.glob("*.KQLDatabase/DatabaseSchema.kql")):
        found, others = kql_schema(script)
        if not found:
            findings.append(Finding(script, "defines no table (.create-merge table)"))
        tables.update(found)
        names |= set(found) | others
        covered.add(script)
    for properties in sorted(
        [
            *root.glob("*.KQLDatabase/DatabaseProperties.json"),
            *root.glob("*.Eventhouse/EventhouseProperties.json"),
        ]
    ):
        if load_json(properties, findings) is not None:
            covered.add(properties)
    for path in sorted(root.glob("*.Eventstream/eventstream.json")):
        covered.add(path)
        stream = load_json(path, findings)
        if stream is None:
            continue
        shape = schema_findings(path, stream, EVENTSTREAM_SHAPE)
        findings.extend(shape)
        if shape:
            continue
        known = {n["name"] for n in _nodes(stream)}
        for node in _nodes(stream):
            for upstream in node.get("inputNodes", []):
                if upstream["name"] not in known:
                    findings.append(
                        Finding(path, f"node {node['name']}: input {upstream['name']!r} does not exist")
                    )
        if not any(s["type"] == "AzureEventHub" and s["name"] == "order-events" for s in stream["sources"]):
            findings.append(Finding(path, "the order-events Event Hubs source is missing"))
        for destination in stream["destinations"]:
            table = destination["properties"].get("tableName")
            if destination["type"] == "Eventhouse" and table not in tables:
                findings.append(
                    Finding(
                        path, f"destination {destination['name']}: table {table!r} is not in the KQL schema"
                    )
                )
    for path in sorted(root.glob("*.KQLDashboard/RealTimeDashboard.json")):
        covered.add(path)
        dashboard = load_json(path, findings)
        for tile in (dashboard or {}).get("tiles", []):
            source = tile.get("query", {}).get("text", "").split("\n", 1)[0].split("|")[0].strip()
            called = source.split("(")[0].strip()
            if called not in names:
                findings.append(
                    Finding(
                        path,
                        f"tile {tile.get('title')!r} queries {called!r}, not defined by the KQL database",
                    )
                )
    operations = powerbi / "OperationsRealtime.SemanticModel" / "definition"
    if "OrderEvents" in tables and operations.is_dir():
        model = tmdl.Model()
        for file in sorted(operations.rglob("*.tmdl")):
            tmdl.parse_file(file, model, [])
        push = model.tables.get("OrderEvents")
        if push is not None and set(push.columns) != set(tables["OrderEvents"]):
            script = next(root.glob("*.KQLDatabase/DatabaseSchema.kql"))
            findings.append(
                Finding(
                    script,
                    f"OrderEvents columns {sorted(tables['OrderEvents'])} differ from the push dataset's "
                    f"{sorted(push.columns)}",
                )
            )
    return covered
