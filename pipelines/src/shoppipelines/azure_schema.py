"""Azure DevOps YAML checked against the service schema (../shared/schemas, read in place, never copied).

The pipeline is expanded first (azure_templates), so template expressions are evaluated, not skipped:
the root as the service would run it, and each template as expanded for the call that used it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from shoppipelines.azure_templates import TemplateError, expand
from shoppipelines.findings import Finding

SCHEMA_NAME = "azure-pipelines-service-schema.json"
# Built-in tasks of GitHub Advanced Security for Azure DevOps (the CodeQL and dependency scanning of the
# security stage). The schema lists the tasks of the organisation it was generated from, which did not have
# Advanced Security enabled; these are added with their documented inputs, nothing else.
TASKS_OUTSIDE_SCHEMA: dict[str, tuple[str, ...]] = {
    "AdvancedSecurity-Codeql-Init@1": (
        "languages",
        "querysuite",
        "buildtype",
        "sourcesfolder",
        "codeqlpathstoignore",
    ),
    "AdvancedSecurity-Codeql-Analyze@1": (
        "WaitForProcessing",
        "WaitForProcessingInterval",
        "WaitForProcessingTimeout",
    ),
    "AdvancedSecurity-Dependency-Scanning@1": ("directoryExclusionList",),
}


def schema_path(repo_root: Path) -> Path:
    return repo_root.parent / "shared" / "schemas" / SCHEMA_NAME


@cache
def _validator(path: Path) -> jsonschema.Draft7Validator:
    schema = json.loads(path.read_text())
    task = schema["definitions"]["task"]
    for name, inputs in TASKS_OUTSIDE_SCHEMA.items():
        task["properties"]["task"]["anyOf"].append({"enum": [name]})
        task["anyOf"].append(
            {
                "properties": {
                    "task": {"pattern": f"^{name}$"},
                    "inputs": {
                        "type": "object",
                        "properties": {i: {"type": "string"} for i in inputs},
                        "additionalProperties": False,
                    },
                },
                "required": ["task"],
            }
        )
    return jsonschema.Draft7Validator(schema)


def as_the_service_reads_it(node: Any) -> Any:
    """YAML as Azure DevOps reads it: every scalar a string (`90` is "90", `true` is "true")."""
    if isinstance(node, dict):
        # Task inputs keep their types: the schema types each task's inputs (booleans as booleans).
        return {
            key: value if key == "inputs" else as_the_service_reads_it(value) for key, value in node.items()
        }
    if isinstance(node, list):
        return [as_the_service_reads_it(value) for value in node]
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, int | float):
        return str(node)
    return node


def _where(error: ValidationError) -> str:
    parts = []
    for part in error.absolute_path:
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return "".join(parts).lstrip(".") or "(top level)"


def _deepest(error: ValidationError) -> ValidationError:
    """The most specific cause of an anyOf/oneOf failure: the sub-error that got furthest into the object."""
    while error.context:
        branches: dict[object, list[ValidationError]] = {}
        for cause in error.context:
            branches.setdefault(cause.relative_schema_path[0], []).append(cause)
        # The branch the object was meant for is the one with the fewest complaints (then the deepest one).
        closest = max(
            branches.values(), key=lambda causes: (-len(causes), max(len(c.absolute_path) for c in causes))
        )
        error = max(closest, key=lambda cause: len(cause.absolute_path))
    return error


def _errors(document: dict[str, Any], schema: Path) -> Iterable[ValidationError]:
    return [_deepest(error) for error in _validator(schema).iter_errors(document)]


def _leftover_expressions(node: Any, where: str = "") -> Iterable[str]:
    if isinstance(node, str) and "${{" in node:
        yield where or "(top level)"
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and "${{" in key:
                yield f"{where}.{key}".lstrip(".")
            yield from _leftover_expressions(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leftover_expressions(value, f"{where}[{index}]")


def validate(pipeline: Path, schema: Path) -> list[Finding]:
    """Every problem of the pipeline and of each template it uses, named by file and object path."""
    try:
        expanded = expand(pipeline)
    except TemplateError as error:
        return [Finding(pipeline, str(error))]
    findings = []
    documents = [(pipeline, expanded.pipeline)] + [(t.file, t.document) for t in expanded.templates]
    seen: set[tuple[Path, str]] = set()
    for file, document in documents:
        for where in _leftover_expressions(document):
            findings.append(Finding(file, f"{where}: template expression left unexpanded"))
        for problem in _errors(as_the_service_reads_it(document), schema):
            key = (file, f"{_where(problem)}: {problem.message}")
            if key not in seen:
                seen.add(key)
                findings.append(Finding(file, key[1]))
    return findings
