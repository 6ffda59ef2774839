"""Everything the solutions declare, collected once so each validator can check what a file refers to."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from shoppower.validate.findings import Finding
from shoppower.validate.xmlfiles import parse_xml

CUSTOM_CONNECTOR_ID = "/providers/Microsoft.PowerApps/apis/csh_contoso-shop-api"


@dataclass
class Catalog:
    entities: dict[str, set[str]] = field(default_factory=dict)
    """logical table name → logical column names"""
    option_sets: set[str] = field(default_factory=set)
    environment_variables: set[str] = field(default_factory=set)
    connection_references: dict[str, str] = field(default_factory=dict)
    """logical name → connector id"""
    forms: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    connector_operations: set[str] = field(default_factory=set)


def _guid(value: str) -> str:
    return value.strip().strip("{}").lower()


def build_catalog(solutions: Path, findings: list[Finding]) -> Catalog:
    catalog = Catalog()
    for src in sorted(solutions.glob("*/src")):
        for entity_xml in sorted(src.glob("Entities/*/Entity.xml")):
            root = parse_xml(entity_xml, findings)
            if root is None:
                continue
            name = (root.findtext("Name") or "").strip().lower()
            columns = {(a.findtext("LogicalName") or "").lower() for a in root.iter("attribute")}
            catalog.entities[name] = columns
        for form in src.glob("Entities/*/FormXml/*/*.xml"):
            catalog.forms.add(_guid(form.stem))
        for view in src.glob("Entities/*/SavedQueries/*.xml"):
            catalog.views.add(_guid(view.stem))
        for option_set in src.glob("OptionSets/*.xml"):
            root = parse_xml(option_set, findings)
            if root is not None:
                catalog.option_sets.add(root.get("Name", "").lower())
        for definition in src.glob("environmentvariabledefinitions/*/environmentvariabledefinition.xml"):
            root = parse_xml(definition, findings)
            if root is not None:
                catalog.environment_variables.add(root.get("schemaname", ""))
        for role in src.glob("Roles/*.xml"):
            root = parse_xml(role, findings)
            if root is not None:
                catalog.roles.add(_guid(root.get("id", "")))
        customizations = src / "Other" / "Customizations.xml"
        if customizations.is_file():
            root = parse_xml(customizations, findings)
            for reference in root.iter("connectionreference") if root is not None else []:
                logical = reference.get("connectionreferencelogicalname", "")
                catalog.connection_references[logical] = (reference.findtext("connectorid") or "").strip()
        for definition in src.glob("Connectors/*_openapidefinition.json"):
            try:
                swagger = json.loads(definition.read_text(encoding="utf-8"))
            except ValueError:
                continue  # reported by the connector validator
            for item in swagger.get("paths", {}).values():
                for operation in item.values():
                    if isinstance(operation, dict) and "operationId" in operation:
                        catalog.connector_operations.add(operation["operationId"])
    return catalog
