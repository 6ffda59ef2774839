"""The approval request matches the Power Platform's contract (release-approval.openapi.yaml)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import yaml
from ops_testing import REPO_ROOT, release
from shopops.approval_request import build

CONTRACT = REPO_ROOT / "power-platform" / "approvals" / "release-approval.openapi.yaml"


def request_schema() -> dict[str, Any]:
    if not CONTRACT.is_file():
        pytest.fail(f"the release-approval contract is missing: {CONTRACT}")
    document = yaml.safe_load(CONTRACT.read_text())
    schema: dict[str, Any] = dict(document["components"]["schemas"]["ReleaseManifest"])
    # The contract's $refs point into its own components; resolve them against the whole document.
    schema["components"] = document["components"]
    return schema


def body(**overrides: Any) -> dict[str, Any]:
    made = build(
        release("a1b2c3d", "a"),
        "prod",
        "rel-2026.12.06-42",
        "release.manager@contoso.example",
        "https://dev.azure.com/contoso/shop/_build/results?buildId=42",
        1440,
    )
    return {**made, **overrides}


def test_the_request_for_prod_is_valid_against_the_contract() -> None:
    validator = jsonschema.Draft202012Validator(request_schema(), format_checker=jsonschema.FormatChecker())
    assert list(validator.iter_errors(body())) == []
    assert body()["images"][0] == {
        "image": "contososhop.azurecr.io/contoso-shop/frontend",
        "digest": "sha256:" + "a" * 64,
    }


def test_the_contract_check_bites_on_a_request_with_a_tag_instead_of_a_digest() -> None:
    broken = body()
    broken["images"][0]["digest"] = "latest"
    errors = list(jsonschema.Draft202012Validator(request_schema()).iter_errors(broken))
    assert [list(error.absolute_path) for error in errors] == [["images", 0, "digest"]]
