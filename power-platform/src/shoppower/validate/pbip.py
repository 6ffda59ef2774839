"""Power BI Projects: every JSON file against the schema its ``$schema`` names (offline copies under
../shared/schemas/power-platform/pbir-schemas), the TMDL model parsed and resolved, and the report bound to
it: ``definition.pbir`` points at a semantic model folder, pages.json lists the pages on disk, and every
field a visual shows is a column or measure of the model."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from referencing import Registry, Resource

from shoppower.schemas import pbir_root
from shoppower.validate import tmdl
from shoppower.validate.findings import Finding
from shoppower.validate.jsonschemas import load_json, schema_findings

SCHEMA_HOST = "https://developer.microsoft.com/json-schemas/"
PBIP_SHAPE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["version", "artifacts"],
    "properties": {
        "artifacts": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {"report": {"required": ["path"]}},
                "required": ["report"],
            },
        }
    },
}


def _local(uri: str) -> Path | None:
    if not uri.startswith(SCHEMA_HOST):
        return None
    path = pbir_root() / uri.removeprefix(SCHEMA_HOST).split("#", 1)[0]
    return path if path.is_file() else None


@cache
def _registry() -> Registry:
    def retrieve(uri: str) -> Resource:
        path = _local(uri)
        if path is None:
            raise LookupError(f"no offline copy of {uri}")
        return Resource.from_contents(json.loads(path.read_text(encoding="utf-8")))

    return Registry(retrieve=retrieve)  # type: ignore[call-arg]


@cache
def _schema(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def check_json(path: Path, findings: list[Finding]) -> Any:
    document = load_json(path, findings)
    if document is None:
        return None
    uri = document.get("$schema") if isinstance(document, dict) else None
    schema_path = _local(uri) if isinstance(uri, str) else None
    if schema_path is None:
        findings.append(
            Finding(path, f"$schema {uri!r} has no offline schema; the file is not checked, so it fails")
        )
        return None
    findings.extend(schema_findings(path, document, _schema(schema_path), _registry()))
    return document


def _fields(node: Any) -> list[tuple[str, str]]:
    """(entity, property) of every Column/Measure a visual query projects."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for kind in ("Column", "Measure"):
            field = node.get(kind)
            if isinstance(field, dict) and "Property" in field:
                entity = field.get("Expression", {}).get("SourceRef", {}).get("Entity")
                found.append((str(entity), str(field["Property"])))
        for value in node.values():
            found.extend(_fields(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_fields(value))
    return found


def check_semantic_model(folder: Path, findings: list[Finding]) -> tmdl.Model:
    for name in ("definition.pbism", ".platform"):
        if (folder / name).is_file():
            check_json(folder / name, findings)
        else:
            findings.append(Finding(folder / name, "missing from the semantic model folder"))
    return tmdl.check_model(folder / "definition", findings)


def check_report(folder: Path, findings: list[Finding], models: dict[Path, tmdl.Model]) -> None:
    pbir = folder / "definition.pbir"
    if not pbir.is_file():
        findings.append(Finding(pbir, "missing: a PBIR report folder needs definition.pbir"))
        return
    properties = check_json(pbir, findings)
    model: tmdl.Model | None = None
    if properties is not None:
        by_path = properties.get("datasetReference", {}).get("byPath", {}).get("path")
        target = (folder / by_path).resolve() if by_path else None
        model = models.get(target) if target else None
        if by_path and model is None:
            findings.append(
                Finding(pbir, f"datasetReference.byPath {by_path!r} is not a semantic model folder here")
            )
    for path in sorted(p for p in (folder / "definition").rglob("*") if p.is_file()):
        document = check_json(path, findings) if path.suffix == ".json" else None
        if path.suffix != ".json":
            findings.append(Finding(path, "unknown file type in a PBIR definition"))
        if document is None or model is None or path.name != "visual.json":
            continue
        for entity, prop in _fields(document.get("visual", {}).get("query", {})):
            table = model.tables.get(entity)
            members = (table.columns | {m.name for m in table.measures}) if table else set()
            if prop not in members:
                findings.append(
                    Finding(path, f"visual shows {entity}.{prop}, which the semantic model does not have")
                )
    pages_file = folder / "definition" / "pages" / "pages.json"
    if pages_file.is_file():
        order = (load_json(pages_file, []) or {}).get("pageOrder", [])
        on_disk = sorted(p.name for p in pages_file.parent.iterdir() if p.is_dir())
        if sorted(order) != on_disk:
            findings.append(Finding(pages_file, f"pageOrder {order} differs from the page folders {on_disk}"))


def check_powerbi(root: Path, findings: list[Finding]) -> set[Path]:
    """Validate every project under ``root``; returns the files it covered."""
    models = {
        folder.resolve(): check_semantic_model(folder, findings)
        for folder in sorted(root.glob("*.SemanticModel"))
    }
    for folder in sorted(root.glob("*.Report")):
        check_report(folder, findings, models)
        if (folder / ".platform").is_file():
            check_json(folder / ".platform", findings)
    for project in sorted(root.glob("*.pbip")):
        document = load_json(project, findings)
        if document is not None:
            findings.extend(schema_findings(project, document, PBIP_SHAPE))
            for artifact in document.get("artifacts", []):
                if not (root / artifact.get("report", {}).get("path", "")).is_dir():
                    findings.append(Finding(project, f"artifact {artifact} is not a folder here"))
    covered = {
        p
        for folder in [*root.glob("*.SemanticModel"), *root.glob("*.Report")]
        for p in folder.rglob("*")
        if p.is_file()
    }
    covered |= set(root.glob("*.pbip")) | {root / ".gitignore"}
    semantic_files = {p for p in covered if ".SemanticModel" in p.as_posix()}
    for path in sorted(semantic_files):
        relative = path.relative_to(next(q for q in path.parents if q.name.endswith(".SemanticModel")))
        if not (
            relative.as_posix() in ("definition.pbism", ".platform")
            or (relative.parts[0] == "definition" and path.suffix == ".tmdl")
        ):
            findings.append(Finding(path, "unknown file type in a semantic model folder"))
    for path in sorted(p for p in covered if ".Report/" in p.as_posix()):
        inside = path.relative_to(next(q for q in path.parents if q.name.endswith(".Report"))).as_posix()
        if inside not in ("definition.pbir", ".platform") and not inside.startswith("definition/"):
            findings.append(Finding(path, "unknown file type in a report folder"))
    return covered
