"""The offline schemas under ../shared/schemas/power-platform (never copied into the repo)."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SCHEMAS_ENV = "SHOP_SCHEMAS_DIR"
REPO = Path(__file__).resolve().parents[3]


class SchemasMissingError(FileNotFoundError):
    pass


def schemas_root() -> Path:
    root = Path(os.environ.get(SCHEMAS_ENV, REPO.parent / "shared" / "schemas")) / "power-platform"
    if not root.is_dir():
        raise SchemasMissingError(
            f"offline schemas not found at {root} (../shared/schemas from the repo root)"
        )
    return root


_LINE_COMMENT = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*')
_TRAILING_COMMA = re.compile(r'("(?:\\.|[^"\\])*")|,(\s*[}\]])')


def parse_jsonc(text: str) -> Any:
    """JSON with ``//`` comments and trailing commas (the connector schemas), strings left intact."""
    without_comments = _LINE_COMMENT.sub(lambda m: m.group(1) or "", text)
    return json.loads(_TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(2), without_comments))


@cache
def connector_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = parse_jsonc((schemas_root() / "connector-schemas" / name).read_text("utf-8"))
    return schema


@cache
def pa_yaml_schema() -> dict[str, Any]:
    schema: dict[str, Any] = yaml.safe_load(
        (schemas_root() / "pa-yaml" / "pa.schema.v3.0.yaml").read_text("utf-8")
    )
    return schema


def pbir_root() -> Path:
    return schemas_root() / "pbir-schemas"
