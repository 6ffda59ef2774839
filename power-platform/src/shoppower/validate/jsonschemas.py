"""JSON Schema validation with findings that name the file and the failing location."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
from referencing import Registry

from shoppower.validate.findings import Finding


def _where(path: list[Any]) -> str:
    return "/" + "/".join(str(p) for p in path)


_VALIDATORS: dict[tuple[int, int], Any] = {}
_FAST: dict[tuple[int, int], Any] = {}


def _validator(schema_id: int, registry_id: int, schema: dict[str, Any], registry: Registry | None) -> Any:
    """Validators are built once per (schema, registry): callers pass long-lived (cached) schemas."""
    key = (schema_id, registry_id)
    if key not in _VALIDATORS:
        cls = jsonschema.validators.validator_for(schema)
        _VALIDATORS[key] = (cls(schema, registry=registry) if registry is not None else cls(schema), schema)
    return _VALIDATORS[key][0]


def _fast_validator(
    schema_id: int, registry_id: int, schema: dict[str, Any], registry: Registry | None
) -> Any:
    """The Rust validator answers "valid?" quickly; the Python one explains failures with their paths.
    None when it cannot compile the schema (then only the Python one is used)."""
    key = (schema_id, registry_id)
    if key not in _FAST:

        def retrieve(uri: str) -> Any:
            if registry is None:
                raise LookupError(uri)
            return registry.get_or_retrieve(uri).value.contents

        try:
            _FAST[key] = jsonschema_rs.validator_for(schema, retriever=retrieve)
        except Exception:
            _FAST[key] = None
    return _FAST[key]


def schema_findings(
    path: Path, document: Any, schema: dict[str, Any], registry: Registry | None = None, limit: int = 10
) -> list[Finding]:
    fast = _fast_validator(id(schema), id(registry), schema, registry)
    if fast is not None and fast.is_valid(document):
        return []
    validator = _validator(id(schema), id(registry), schema, registry)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [
        Finding(path, f"schema: at {_where(list(e.absolute_path))}: {e.message[:300]}")
        for e in errors[:limit]
    ]


def load_json(path: Path, findings: list[Finding]) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        findings.append(Finding(path, f"not valid JSON: {error}", getattr(error, "lineno", None)))
        return None
