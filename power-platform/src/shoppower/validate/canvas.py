"""Canvas apps: the .meta.xml (connection references) and the Src/*.pa.yaml source against the pa-yaml
v3.0 schema, then what formulas refer to: connector operations, data sources, screens."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shoppower.schemas import pa_yaml_schema
from shoppower.validate.catalog import Catalog
from shoppower.validate.findings import Finding
from shoppower.validate.jsonschemas import schema_findings
from shoppower.validate.xmlfiles import parse_xml
from shoppower.yamlfiles import load_yaml

_CALL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\(")
_NAVIGATE = re.compile(r"\bNavigate\(\s*([A-Za-z_][A-Za-z0-9_]*)")


def check_meta(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    if root is None:
        return
    name = path.name.removesuffix(".meta.xml")
    if (root.findtext("Name") or "").strip() != name:
        findings.append(Finding(path, f"Name is not {name!r}"))
    if not (path.parent / name / "Src" / "App.pa.yaml").is_file():
        findings.append(Finding(path, f"canvas source {name}/Src/App.pa.yaml is missing"))
    try:
        references: dict[str, Any] = json.loads(root.findtext("ConnectionReferences") or "{}")
    except ValueError as error:
        findings.append(Finding(path, f"ConnectionReferences is not JSON: {error}"))
        return
    for reference in references.values():
        logical = reference.get("connectionReferenceLogicalName", "")
        declared = catalog.connection_references.get(logical)
        if declared is None:
            findings.append(Finding(path, f"connection reference {logical!r} is not declared"))
        elif declared != reference.get("id"):
            findings.append(
                Finding(
                    path, f"connection reference {logical}: connector {reference.get('id')} is not {declared}"
                )
            )


def _load(path: Path, findings: list[Finding]) -> Any:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        findings.append(
            Finding(
                path, f"not valid YAML: {getattr(error, 'problem', error)}", mark.line + 1 if mark else None
            )
        )
        return None


def _formulas(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node] if node.startswith("=") else []
    if isinstance(node, dict):
        return [f for value in node.values() for f in _formulas(value)]
    if isinstance(node, list):
        return [f for value in node for f in _formulas(value)]
    return []


def _app_declarations(src: Path) -> tuple[set[str], dict[str, str]]:
    files = tuple((f, f.stat().st_mtime_ns, f.stat().st_size) for f in sorted(src.glob("*.pa.yaml")))
    return _declarations(files)


@cache
def _declarations(files: tuple[tuple[Path, int, int], ...]) -> tuple[set[str], dict[str, str]]:
    """The app's screens and data sources (name → Type), over all its .pa.yaml files."""
    screens: set[str] = set()
    sources: dict[str, str] = {}
    for file, _, _ in files:
        try:
            document = load_yaml(file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        if isinstance(document, dict):
            screens.update((document.get("Screens") or {}).keys())
            sources.update(
                {
                    k: v.get("Type", "")
                    for k, v in (document.get("DataSources") or {}).items()
                    if isinstance(v, dict)
                }
            )
    return screens, sources


def check_pa_yaml(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    document = _load(path, findings)
    if document is None:
        if path.stat().st_size == 0:
            findings.append(Finding(path, "empty .pa.yaml"))
        return
    schema = pa_yaml_schema()
    errors = schema_findings(path, document, schema)
    findings.extend(errors)
    if errors:
        return
    screens, sources = _app_declarations(path.parent)
    for formula in _formulas(document):
        for source, operation in _CALL.findall(formula):
            if sources.get(source) == "Actions" and operation not in catalog.connector_operations:
                findings.append(
                    Finding(
                        path, f"formula calls {source}.{operation}, not an operation of the custom connector"
                    )
                )
        for screen in _NAVIGATE.findall(formula):
            if screen not in screens:
                findings.append(Finding(path, f"formula navigates to {screen!r}, not a screen of this app"))
