"""One unpacked solution (`pac solution unpack` layout): manifest ↔ disk consistency, then each component.

Every file must belong to a component kind this validator knows; anything else is reported, not passed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from xml.etree.ElementTree import Element

from shoppower.validate import bots, canvas, flows
from shoppower.validate.catalog import Catalog
from shoppower.validate.findings import Finding
from shoppower.validate.xmlfiles import parse_xml

PREFIX = "csh"
PUBLISHER = "contososhop"

# relative path pattern → component kind
FILE_KINDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), kind)
    for p, kind in [
        (r"^Other/Solution\.xml$", "manifest"),
        (r"^Other/Customizations\.xml$", "customizations"),
        (r"^Other/Relationships/[^/]+\.xml$", "relationships"),
        (r"^Entities/[^/]+/Entity\.xml$", "entity"),
        (r"^Entities/[^/]+/FormXml/(main|quick|card)/\{[0-9a-f-]{36}\}\.xml$", "form"),
        (r"^Entities/[^/]+/SavedQueries/\{[0-9a-f-]{36}\}\.xml$", "view"),
        (r"^OptionSets/[^/]+\.xml$", "optionset"),
        (r"^Roles/[^/]+\.xml$", "role"),
        (r"^environmentvariabledefinitions/[^/]+/environmentvariabledefinition\.xml$", "envvar"),
        (
            r"^Connectors/[^/]+_(openapidefinition|connectionparameters|policytemplateinstances)\.json$",
            "connector",
        ),
        (r"^Workflows/[^/]+-[0-9A-F-]{36}\.json$", "flow"),
        (r"^Workflows/[^/]+-[0-9A-F-]{36}\.json\.data\.xml$", "flowdata"),
        (r"^CanvasApps/[^/]+\.meta\.xml$", "canvasmeta"),
        (r"^CanvasApps/[^/]+/Src/[^/]+\.pa\.yaml$", "pa-yaml"),
        (r"^AppModules/[^/]+/AppModule\.xml$", "appmodule"),
        (r"^AppModuleSiteMaps/[^/]+/AppModuleSiteMap\.xml$", "sitemap"),
        (r"^bots/[^/]+/bot\.xml$", "bot"),
        (r"^bots/[^/]+/configuration\.json$", "botconfig"),
        (r"^botcomponents/[^/]+/botcomponent\.xml$", "botcomponent"),
        (r"^botcomponents/[^/]+/data$", "botdata"),
        (r"^Assets/botcomponent_[^/]+set\.xml$", "botset"),
    ]
]
ROOT_TYPES = {
    1: "table",
    9: "choice",
    20: "security role",
    29: "cloud flow",
    62: "site map",
    80: "model-driven app",
    300: "canvas app",
    372: "custom connector",
    380: "environment variable",
}


def kind_of(relative: str) -> str | None:
    return next((kind for pattern, kind in FILE_KINDS if pattern.match(relative)), None)


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def on_disk_components(src: Path, findings: list[Finding]) -> dict[tuple[int, str], Path]:
    """(root component type, schema name or id) → the file that holds it."""
    found: dict[tuple[int, str], Path] = {}
    for entity in src.glob("Entities/*/Entity.xml"):
        found[(1, entity.parent.name.lower())] = entity
    for option_set in src.glob("OptionSets/*.xml"):
        found[(9, option_set.stem.lower())] = option_set
    for role in src.glob("Roles/*.xml"):
        root = parse_xml(role, findings)
        if root is not None:
            found[(20, _guid(root.get("id")))] = role
    for data in src.glob("Workflows/*.json.data.xml"):
        root = parse_xml(data, findings)
        if root is not None:
            found[(29, _guid(root.get("WorkflowId")))] = data
    for sitemap in src.glob("AppModuleSiteMaps/*/AppModuleSiteMap.xml"):
        found[(62, sitemap.parent.name.lower())] = sitemap
    for module in src.glob("AppModules/*/AppModule.xml"):
        found[(80, module.parent.name.lower())] = module
    for meta in src.glob("CanvasApps/*.meta.xml"):
        found[(300, meta.name.removesuffix(".meta.xml").lower())] = meta
    for connector in src.glob("Connectors/*_openapidefinition.json"):
        found[(372, connector.name.removesuffix("_openapidefinition.json").lower())] = connector
    for variable in src.glob("environmentvariabledefinitions/*/environmentvariabledefinition.xml"):
        found[(380, variable.parent.name.lower())] = variable
    return found


def check_manifest(src: Path, findings: list[Finding]) -> None:
    manifest_path = src / "Other" / "Solution.xml"
    if not manifest_path.is_file():
        findings.append(Finding(manifest_path, "missing: every unpacked solution has Other/Solution.xml"))
        return
    root = parse_xml(manifest_path, findings)
    if root is None:
        return
    manifest = root.find("SolutionManifest")
    if root.tag != "ImportExportXml" or manifest is None:
        findings.append(Finding(manifest_path, "not a solution manifest (ImportExportXml/SolutionManifest)"))
        return
    if (manifest.findtext("UniqueName") or "").strip() != src.parent.name:
        findings.append(Finding(manifest_path, f"UniqueName is not the folder name {src.parent.name!r}"))
    if (manifest.findtext("Publisher/UniqueName") or "").strip() != PUBLISHER or (
        manifest.findtext("Publisher/CustomizationPrefix") or ""
    ).strip() != PREFIX:
        findings.append(Finding(manifest_path, f"publisher must be {PUBLISHER!r} with prefix {PREFIX!r}"))
    declared: dict[tuple[int, str], Element] = {}
    for component in manifest.iter("RootComponent"):
        kind = int(component.get("type", "0"))
        key = (kind, (component.get("schemaName") or "").lower() or _guid(component.get("id")))
        if kind not in ROOT_TYPES:
            findings.append(
                Finding(
                    manifest_path, f"root component type {kind} ({key[1]}) is not one this validator knows"
                )
            )
            continue
        declared[key] = component
    disk = on_disk_components(src, findings)
    for key in sorted(set(declared) - set(disk)):
        findings.append(Finding(manifest_path, f"{ROOT_TYPES[key[0]]} {key[1]!r} is listed but not on disk"))
    for key in sorted(set(disk) - set(declared)):
        findings.append(
            Finding(disk[key], f"{ROOT_TYPES[key[0]]} {key[1]!r} is on disk but not in Other/Solution.xml")
        )


def check_entity(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    if root is None:
        return
    name = (root.findtext("Name") or "").strip()
    if name != path.parent.name:
        findings.append(Finding(path, f"table name {name!r} is not its folder name {path.parent.name!r}"))
    if not name.lower().startswith(PREFIX + "_"):
        findings.append(Finding(path, f"table {name!r} lacks the publisher prefix {PREFIX}_"))
    for attribute in root.iter("attribute"):
        logical = attribute.findtext("LogicalName") or ""
        option_set = attribute.findtext("OptionSetName")
        if option_set is not None and option_set.lower() not in catalog.option_sets:
            findings.append(Finding(path, f"column {logical}: choice {option_set!r} is not declared"))
        for target in attribute.iter("LookupType"):
            if (target.text or "").lower() not in catalog.entities:
                findings.append(
                    Finding(path, f"column {logical}: lookup target {target.text!r} is not a table")
                )


def _entity_columns(path: Path, catalog: Catalog) -> tuple[str, set[str]]:
    entity_dir = next(p for p in path.parents if p.parent.name == "Entities")
    name = entity_dir.name.lower()
    return name, catalog.entities.get(name, set())


def check_form(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    if root is None:
        return
    table, columns = _entity_columns(path, catalog)
    if _guid(root.findtext("systemform/formid")) != _guid(path.stem):
        findings.append(Finding(path, "formid differs from the file name"))
    for control in root.iter("control"):
        field = control.get("datafieldname")
        if field and field.lower() not in columns:
            findings.append(Finding(path, f"form control binds {field!r}, not a column of {table}"))


def check_view(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    if root is None:
        return
    table, columns = _entity_columns(path, catalog)
    if _guid(root.findtext("savedquery/savedqueryid")) != _guid(path.stem):
        findings.append(Finding(path, "savedqueryid differs from the file name"))
    fetch_entity = root.find("savedquery/fetchxml/fetch/entity")
    if fetch_entity is None or fetch_entity.get("name", "").lower() != table:
        findings.append(Finding(path, f"fetchxml does not query {table}"))
    system = {"createdon", "modifiedon", "ownerid", "statecode", "statuscode"}
    for node in root.iter():
        if node.tag in ("attribute", "condition", "order", "cell"):
            column = (node.get("attribute") or node.get("name") or "").lower()
            if column and column not in columns | system:
                findings.append(Finding(path, f"view uses {column!r}, not a column of {table}"))


def check_relationships(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    for relationship in root.iter("EntityRelationship") if root is not None else []:
        name = relationship.get("Name")
        referencing = (relationship.findtext("ReferencingEntityName") or "").lower()
        referenced = (relationship.findtext("ReferencedEntityName") or "").lower()
        attribute = (relationship.findtext("ReferencingAttributeName") or "").lower()
        for table in (referencing, referenced):
            if table not in catalog.entities:
                findings.append(Finding(path, f"relationship {name}: {table!r} is not a table"))
        if referencing in catalog.entities and attribute not in catalog.entities[referencing]:
            findings.append(
                Finding(path, f"relationship {name}: {attribute!r} is not a column of {referencing}")
            )


_PRIVILEGE = re.compile(r"^prv(Create|Read|Write|Delete|AppendTo|Append|Assign|Share)(\w+)$")


def check_role(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    for privilege in root.iter("RolePrivilege") if root is not None else []:
        match = _PRIVILEGE.match(privilege.get("name", ""))
        if match is None:
            findings.append(Finding(path, f"privilege {privilege.get('name')!r} is not prv<Verb><Table>"))
        elif match[2].lower() not in catalog.entities:
            findings.append(Finding(path, f"privilege {match[0]} is on {match[2]!r}, not a table"))


def check_envvar(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    if root is None:
        return
    if root.get("schemaname", "") != path.parent.name:
        findings.append(Finding(path, "schemaname differs from the folder name"))
    if (root.findtext("type") or "").strip() not in {
        "100000000",
        "100000001",
        "100000002",
        "100000003",
        "100000005",
    }:
        findings.append(Finding(path, f"unknown environment variable type {root.findtext('type')!r}"))


def check_appmodule(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    if root is None:
        return
    for component in root.iter("AppModuleComponent"):
        kind, name, ident = (
            component.get("type"),
            (component.get("schemaName") or "").lower(),
            _guid(component.get("id")),
        )
        missing = (
            (kind == "1" and name not in catalog.entities)
            or (kind == "60" and ident not in catalog.forms)
            or (kind == "26" and ident not in catalog.views)
            or (
                kind == "62"
                and not (path.parents[2] / "AppModuleSiteMaps" / component.get("schemaName", "")).is_dir()
            )
        )
        if missing:
            findings.append(Finding(path, f"app component type {kind} {name or ident!r} does not exist"))
    for role in root.iter("Role"):
        if _guid(role.get("id")) not in catalog.roles:
            findings.append(Finding(path, f"app role {role.get('id')} is not a declared security role"))


def check_sitemap(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    for area in root.iter("SubArea") if root is not None else []:
        entity = area.get("Entity")
        if entity and entity.lower() not in catalog.entities:
            findings.append(Finding(path, f"site map area {area.get('Id')} shows {entity!r}, not a table"))


def check_xml_only(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    parse_xml(path, findings)


CHECKS: dict[str, Callable[[Path, Catalog, list[Finding]], None]] = {
    "customizations": check_xml_only,
    "relationships": check_relationships,
    "entity": check_entity,
    "form": check_form,
    "view": check_view,
    "optionset": check_xml_only,
    "role": check_role,
    "envvar": check_envvar,
    "flow": flows.check_flow,
    "flowdata": flows.check_flow_data,
    "canvasmeta": canvas.check_meta,
    "pa-yaml": canvas.check_pa_yaml,
    "appmodule": check_appmodule,
    "sitemap": check_sitemap,
    "bot": bots.check_bot,
    "botconfig": bots.check_bot_configuration,
    "botcomponent": bots.check_bot_component,
    "botdata": bots.check_bot_data,
    "botset": bots.check_bot_set,
}


def validate_solution(src: Path, catalog: Catalog, findings: list[Finding]) -> None:
    check_manifest(src, findings)
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        relative = path.relative_to(src).as_posix()
        kind = kind_of(relative)
        if kind is None:
            findings.append(
                Finding(path, "unknown file type: no validator knows this file, so it is not passed")
            )
        elif kind in CHECKS:
            CHECKS[kind](path, catalog, findings)
        # manifest: checked above; connector: checked against the paconn files by the connector validator
