"""The release-approval OpenAPI document, and request validation against its schemas.

The stand-in validates with the document itself, so that it cannot drift from what the pipelines read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, ValidationError

CONTRACT_ENV = "SHOP_APPROVALS_CONTRACT"
_DEFAULT = Path(__file__).resolve().parents[3] / "approvals" / "release-approval.openapi.yaml"


def contract_path() -> Path:
    return Path(os.environ.get(CONTRACT_ENV, _DEFAULT))


@cache
def load_contract(path: Path | None = None) -> dict[str, Any]:
    document = yaml.safe_load((path or contract_path()).read_text(encoding="utf-8"))
    if not isinstance(document, dict) or "components" not in document:
        raise ValueError(f"{path or contract_path()}: not an OpenAPI document with components")
    return document


@dataclass(frozen=True)
class FieldError(Exception):
    """A request body that is JSON but breaks the schema; ``field`` is a JSON pointer."""

    field: str
    detail: str


def _pointer(parts: list[str | int]) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _field_of(error: ValidationError) -> str:
    path: list[str | int] = list(error.absolute_path)
    required: Any = error.validator_value
    schema: Any = error.schema
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in required if name not in error.instance]
        path.append(missing[0] if missing else "")
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(schema.get("properties", {}))
        extra = sorted(name for name in error.instance if name not in allowed)
        path.append(extra[0] if extra else "")
    return _pointer(path)


def validate(schema_name: str, body: Any) -> None:
    """Raise ``FieldError`` naming the first offending field of ``body`` against components/schemas/NAME."""
    document = load_contract()
    schema = {**document, "$schema": "https://json-schema.org/draft/2020-12/schema"}
    schema["$ref"] = f"#/components/schemas/{schema_name}"
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: (len(e.absolute_path), str(e.absolute_path)))
    if errors:
        first = errors[0]
        raise FieldError(_field_of(first), first.message)
