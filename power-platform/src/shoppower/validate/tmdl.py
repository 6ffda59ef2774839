"""A TMDL (Tabular Model Definition Language) reader for the parts our models use, and the checks on it:
tables/columns/measures/partitions/relationships parse, and every ``Table[Column]``, ``'Table'[Measure]`` and
``[Measure]`` in a measure, and every relationship end, resolves in the model.

No schema for TMDL exists; the grammar followed is the documented one: objects are ``<keyword> <name>``
lines, children are indented one tab deeper, properties are ``name: value``, expressions follow ``=``
(on the same line or as a deeper-indented block).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from shoppower.validate.findings import Finding

OBJECTS = {
    "table",
    "column",
    "measure",
    "partition",
    "relationship",
    "model",
    "database",
    "ref",
    "annotation",
    "hierarchy",
    "level",
    "expression",
    "culture",
    "role",
    "perspective",
    "calculationGroup",
    "calculationItem",
}
_NAME = r"(?:'(?:[^']|'')+'|[^\s=.']+)"
_OBJECT = re.compile(rf"^(?P<keyword>[A-Za-z]+)(?:\s+(?P<name>{_NAME}))?(?:\s*=\s*(?P<expr>.*))?$")
_PROPERTY = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9]*)(?::\s*(?P<value>.*))?$")
_QUALIFIED = re.compile(r"(?P<table>'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_]*)\[(?P<member>[^\]]+)\]")
_BARE = re.compile(r"(?<![\w'\]])\[(?P<member>[^\]]+)\]")
_STRING = re.compile(r'"(?:[^"]|"")*"')


def unquote(name: str) -> str:
    return name[1:-1].replace("''", "'") if name.startswith("'") else name


@dataclass
class Measure:
    name: str
    expression: str
    line: int


@dataclass
class Table:
    name: str
    path: Path
    columns: set[str] = field(default_factory=set)
    measures: list[Measure] = field(default_factory=list)
    partitions: int = 0


@dataclass
class Relationship:
    name: str
    path: Path
    line: int
    ends: dict[str, str] = field(default_factory=dict)


@dataclass
class Model:
    tables: dict[str, Table] = field(default_factory=dict)
    relationships: list[Relationship] = field(default_factory=list)
    table_refs: list[tuple[str, Path, int]] = field(default_factory=list)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip("\t"))


def parse_file(path: Path, model: Model, findings: list[Finding]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    table: Table | None = None
    measure: Measure | None = None
    relationship: Relationship | None = None
    block_indent: int | None = None  # inside a multi-line expression deeper than this
    for number, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("///"):
            continue
        if raw.startswith(" "):
            findings.append(Finding(path, "TMDL indents with tabs, not spaces", number))
            continue
        depth = _indent(raw)
        text = raw.strip()
        if block_indent is not None:
            if depth > block_indent:
                if measure is not None and depth > block_indent:
                    measure.expression += "\n" + text
                continue
            block_indent = None
        if depth == 0 and text.startswith("ref "):
            parts = text.split(maxsplit=2)
            table = measure = relationship = None
            if len(parts) == 3 and parts[1] == "table":
                model.table_refs.append((unquote(parts[2]), path, number))
            continue
        if depth == 0:
            match = _OBJECT.match(text)
            if match is None or match["keyword"] not in OBJECTS:
                findings.append(Finding(path, f"unknown top-level TMDL object {text.split()[0]!r}", number))
                continue
            keyword, name = match["keyword"], unquote(match["name"] or "")
            table = measure = relationship = None
            if keyword == "table":
                table = model.tables.setdefault(name, Table(name, path))
            elif keyword == "relationship":
                relationship = Relationship(name, path, number)
                model.relationships.append(relationship)
            continue
        object_match = _OBJECT.match(text)
        if depth == 1 and object_match and object_match["keyword"] in OBJECTS and object_match["name"]:
            keyword, name = object_match["keyword"], unquote(object_match["name"])
            measure = None
            if table is None:
                if keyword not in ("annotation", "culture", "ref"):
                    findings.append(Finding(path, f"{keyword} {name!r} outside a table", number))
                continue
            if keyword == "column":
                table.columns.add(name)
            elif keyword == "measure":
                expression = (object_match["expr"] or "").strip()
                measure = Measure(name, expression, number)
                table.measures.append(measure)
                if not expression:
                    block_indent = depth + 1
            elif keyword == "partition":
                table.partitions += 1
            continue
        if re.match(r"^[A-Za-z]+\s*=$", text):  # an expression property whose value is the deeper block
            block_indent = depth
            continue
        property_match = _PROPERTY.match(text)
        if property_match is None:
            findings.append(Finding(path, f"cannot read TMDL line {text[:60]!r}", number))
            continue
        value = property_match["value"]
        if relationship is not None and property_match["key"] in ("fromColumn", "toColumn") and value:
            relationship.ends[property_match["key"]] = value.strip()


def _resolve_end(model: Model, end: str) -> bool:
    table, _, column = end.rpartition(".")
    found = model.tables.get(unquote(table))
    return found is not None and unquote(column) in found.columns


def check_model(definition: Path, findings: list[Finding]) -> Model:
    """Parse every .tmdl under ``definition`` and report what does not resolve."""
    model = Model()
    for path in sorted(definition.rglob("*.tmdl")):
        parse_file(path, model, findings)
    referenced = {name for name, _, _ in model.table_refs}
    for name, path, line in model.table_refs:
        if name not in model.tables:
            findings.append(Finding(path, f"ref table {name!r} has no tables/{name}.tmdl", line))
    for name, table in model.tables.items():
        if name not in referenced:
            findings.append(Finding(table.path, f"table {name!r} is not listed (ref table) in model.tmdl"))
        if table.partitions == 0:
            findings.append(Finding(table.path, f"table {name!r} has no partition"))
    measures = {m.name: table for table in model.tables.values() for m in table.measures}
    for table in model.tables.values():
        for measure in table.measures:
            if not measure.expression.strip():
                findings.append(
                    Finding(table.path, f"measure {measure.name!r} has no expression", measure.line)
                )
            code = _STRING.sub('""', measure.expression)
            for match in _QUALIFIED.finditer(code):
                target = model.tables.get(unquote(match["table"]))
                member = match["member"]
                if target is None:
                    findings.append(
                        Finding(
                            table.path,
                            f"measure {measure.name!r}: table {unquote(match['table'])!r} does not exist",
                            measure.line,
                        )
                    )
                elif member not in target.columns and member not in {m.name for m in target.measures}:
                    findings.append(
                        Finding(
                            table.path,
                            f"measure {measure.name!r}: {target.name}[{member}] does not exist",
                            measure.line,
                        )
                    )
            for match in _BARE.finditer(_QUALIFIED.sub("", code)):
                if match["member"] not in measures and match["member"] not in table.columns:
                    findings.append(
                        Finding(
                            table.path,
                            f"measure {measure.name!r}: [{match['member']}] is not a measure",
                            measure.line,
                        )
                    )
    for relationship in model.relationships:
        for key in ("fromColumn", "toColumn"):
            end = relationship.ends.get(key)
            if end is None or not _resolve_end(model, end):
                findings.append(
                    Finding(
                        relationship.path,
                        f"relationship {relationship.name}: {key} {end!r} does not resolve",
                        relationship.line,
                    )
                )
    return model
