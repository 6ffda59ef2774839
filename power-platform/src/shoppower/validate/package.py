"""Validates everything under power-platform/ that Microsoft's tools read; a file no validator covers is
reported as unknown, never passed silently."""

from __future__ import annotations

from pathlib import Path

import yaml

from shoppower.validate import connector, fabric, pbip, settings
from shoppower.validate.catalog import build_catalog
from shoppower.validate.findings import Finding
from shoppower.validate.solution import kind_of, validate_solution

PACKAGE = Path(__file__).resolve().parents[3]
VALIDATED_TREES = ("solutions", "connector", "deployment-settings", "powerbi", "fabric")


def _check_operations(path: Path, operations: set[str], findings: list[Finding]) -> None:
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        findings.append(Finding(path, f"not valid YAML: {error}"))
        return
    listed = {op.get("operationId") for op in config.get("operations", [])}
    for missing in sorted(str(o) for o in listed - operations):
        findings.append(
            Finding(path, f"operation {missing} is not in the generated connector; regenerate it")
        )


def validate_package(root: Path = PACKAGE) -> list[Finding]:
    findings: list[Finding] = []
    covered: set[Path] = set()
    solutions = root / "solutions"
    catalog = build_catalog(solutions, findings)
    for src in sorted(solutions.glob("*/src")):
        validate_solution(src, catalog, findings)
        covered |= {p for p in src.rglob("*") if p.is_file()}
    paconn = root / "connector" / "paconn"
    for name in connector.PACONN_SCHEMAS:
        path = paconn / name
        if path.is_file():
            connector.check_paconn_file(path, findings)
            covered.add(path)
        else:
            findings.append(Finding(path, "missing; run `make power-platform-connector`"))
    for path in sorted(solutions.glob("*/src/Connectors/*.json")):
        if kind_of(path.relative_to(path.parents[1]).as_posix()) == "connector":
            connector.check_solution_connector_file(path, paconn, findings)
    operations = root / "connector" / "operations.yaml"
    if operations.is_file():
        _check_operations(operations, catalog.connector_operations, findings)
        covered.add(operations)
    for path in sorted((root / "deployment-settings").glob("*/*.json")):
        settings.check_settings(path, catalog, findings)
        covered.add(path)
    if (root / "powerbi").is_dir():
        covered |= pbip.check_powerbi(root / "powerbi", findings)
    if (root / "fabric").is_dir():
        covered |= fabric.check_fabric(root / "fabric", root / "powerbi", findings)
    for tree in VALIDATED_TREES:
        for path in sorted(p for p in (root / tree).rglob("*") if p.is_file()):
            if path not in covered:
                findings.append(
                    Finding(path, "unknown file type: no validator knows this file, so it is not passed")
                )
    return sorted(set(findings))


def validate_files(files: list[Path], root: Path = PACKAGE) -> list[Finding]:
    """Findings for ``files`` only; a file outside the validated trees is reported as unknown."""
    wanted = {f.resolve() for f in files}
    trees = [(root / tree).resolve() for tree in VALIDATED_TREES]
    findings = [f for f in validate_package(root) if f.path.resolve() in wanted]
    for file in sorted(wanted):
        if not any(file.is_relative_to(tree) for tree in trees):
            findings.append(
                Finding(file, "unknown file type: not a Power Platform source this package validates")
            )
    return findings
