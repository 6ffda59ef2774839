"""The OpenAPI document the pipelines consume is well formed: 3.1, its schemas valid JSON Schema 2020-12,
every $ref resolving, every operation answering problem+json for its errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from shoppower.approvals.contract import contract_path
from shoppower.validate.openapi_refs import unresolved_refs


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_document_is_openapi_3_1_with_valid_schemas() -> None:
    document = load(contract_path())
    assert document["openapi"].startswith("3.1")
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    assert unresolved_refs(document) == []


def test_every_error_response_is_problem_json() -> None:
    document = load(contract_path())
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    target = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                    assert list(target["content"]) == ["application/problem+json"], (path, method, code)


def test_a_dangling_ref_is_reported(tmp_path: Path) -> None:
    broken = (
        contract_path()
        .read_text(encoding="utf-8")
        .replace("'#/components/schemas/ImageDigest'", "'#/components/schemas/ImageDigests'")
    )
    document = yaml.safe_load(broken)
    assert unresolved_refs(document) == ["#/components/schemas/ImageDigests"]


@pytest.mark.parametrize("schema", ["ReleaseManifest", "Decision", "DecisionInput", "Problem"])
def test_contract_defines(schema: str) -> None:
    assert schema in load(contract_path())["components"]["schemas"]
